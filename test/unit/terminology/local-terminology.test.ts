/**
 * terminology/: every file loads and is valid FHIR, canonical URLs and NamingSystem URIs are
 * unique, and the code lists have the sizes the registry and the jurisdictions need.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeSystem, CodeSystemConcept, NamingSystem, ValueSet } from '@medplum/fhirtypes';
import { readTerminology } from '../../../src/terminology/local-terminology';
import { createSchemaValidator } from '../../../src/fhir/validation/schema';
import { CodeSystemIndex } from '../../../src/terminology/code-system-index';

const BASE = 'https://baobab.health/fhir';
const ISO = 'urn:iso:std:iso:3166:-2';
const ours = readTerminology();
const codeSystem = (id: string) => ours.resources.find((r): r is CodeSystem & { id: string } => r.resourceType === 'CodeSystem' && r.id === id)!;
const valueSet = (id: string) => ours.find('ValueSet', `${BASE}/ValueSet/${id}`)!;
const codes = (concepts: readonly CodeSystemConcept[] = []): string[] => concepts.flatMap((c) => [c.code!, ...codes(c.concept)]);
const property = (c: CodeSystemConcept, name: string) => c.property?.filter((p) => p.code === name).map((p) => p.valueCode ?? p.valueString ?? p.valueBoolean ?? p.valueInteger) ?? [];

const dirs: string[] = [];
function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'terminology-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('readTerminology', () => {
  const cs = (id: string, url = `urn:cs:${id}`) => ({ resourceType: 'CodeSystem', id, url, status: 'active', content: 'complete' });

  it('refuses broken JSON, other types, misnamed files, missing urls and duplicates', () => {
    expect(() => readTerminology(dirWith({ 'CodeSystem-x.json': '{' }))).toThrow(/not valid JSON/);
    expect(() => readTerminology(dirWith({ 'Patient-x.json': { resourceType: 'Patient', id: 'x' } }))).toThrow(/not Patient/);
    expect(() => readTerminology(dirWith({ 'x.json': cs('x') }))).toThrow(/should be named CodeSystem-x.json/);
    expect(() => readTerminology(dirWith({ 'CodeSystem-x.json': { ...cs('x'), url: undefined } }))).toThrow(/needs a url/);
    expect(() => readTerminology(dirWith({ 'CodeSystem-x.json': cs('x', 'urn:same'), 'CodeSystem-y.json': cs('y', 'urn:same') }))).toThrow(/same CodeSystem urn:same/);
    const ns = (id: string, value: string) => ({ resourceType: 'NamingSystem', id, name: id, status: 'active', kind: 'identifier', date: '2026-01-01', uniqueId: [{ type: 'uri', value }] });
    expect(() => readTerminology(dirWith({ 'NamingSystem-a.json': ns('a', 'urn:a'), 'NamingSystem-b.json': ns('b', 'urn:a') }))).toThrow(/same NamingSystem uri/);
    expect(() => readTerminology(dirWith({ 'NamingSystem-a.json': { ...ns('a', 'urn:a'), uniqueId: [{ type: 'oid', value: '1.2.3' }] } }))).toThrow(/uniqueId of type uri/);
  });

  it('a CodeSystem and a ValueSet may share a url path, not a url', () => {
    const both = readTerminology(dirWith({ 'CodeSystem-x.json': cs('x', 'urn:x'), 'ValueSet-x.json': { resourceType: 'ValueSet', id: 'x', url: 'urn:x', status: 'active' } }));
    expect(both.find('CodeSystem', 'urn:x')?.resourceType).toBe('CodeSystem');
    expect(both.find('ValueSet', 'urn:x')?.resourceType).toBe('ValueSet');
  });
});

describe('the repository terminology/', () => {
  it('every file is valid FHIR R4 (the JSON schema), with our canonical base', () => {
    const validator = createSchemaValidator();
    expect(ours.resources.length).toBeGreaterThan(30);
    for (const resource of ours.resources) {
      expect(validator.validate(resource), `${resource.resourceType}/${resource.id}`).toEqual([]);
      if (resource.resourceType === 'NamingSystem' || resource.url === ISO) continue;
      expect(resource.url).toBe(`${BASE}/${resource.resourceType}/${resource.id}`);
    }
  });

  it('CodeSystems: unique codes, a count that matches, each with a ValueSet that expands to it', () => {
    for (const cs of ours.resources.filter((r): r is CodeSystem & { id: string } => r.resourceType === 'CodeSystem')) {
      const all = codes(cs.concept);
      expect(new Set(all).size, cs.id).toBe(all.length);
      expect(cs.count, cs.id).toBe(all.length);
      const declared = new Set((cs.property ?? []).map((p) => p.code));
      for (const concept of new CodeSystemIndex(cs).all()) for (const p of concept.property) expect(declared.has(p.code), `${cs.id} ${concept.code} ${p.code}`).toBe(true);
      expect(ours.find('ValueSet', cs.valueSet!), cs.id).toBeDefined();
    }
  });

  it('professional types carry their license type code', () => {
    const types = Object.fromEntries(codeSystem('professional-type').concept!.map((c) => [c.code, property(c, 'license-type')[0]]));
    expect(types).toMatchObject({ doctor: 'DOC', pharmacist: 'PHARM', nurse: 'NURSE', midwife: 'MIDW', physiotherapist: 'PHYSIO', dentist: 'DENT', 'lab-scientist': 'LAB' });
    expect(new Set(Object.values(types)).size).toBe(Object.keys(types).length);
  });

  it('specialisations are a hierarchy whose disciplines name professional types', () => {
    const index = new CodeSystemIndex(codeSystem('specialty'));
    expect(index.descendants('medicine')).toEqual(expect.arrayContaining(['internal-medicine', 'cardiology', 'surgery', 'neurosurgery']));
    expect(index.ancestors('cardiology')).toEqual(expect.arrayContaining(['internal-medicine', 'medicine']));
    const professions = new Set(codes(codeSystem('professional-type').concept));
    for (const discipline of codeSystem('specialty').concept!) expect(professions.has(property(discipline, 'professional-type')[0] as string), discipline.code).toBe(true);
  });

  it('license statuses, visit stages and the 19 document types', () => {
    expect(codes(codeSystem('license-status').concept)).toEqual(['active', 'suspended', 'expired', 'revoked', 'inactive']);
    expect(codes(codeSystem('visit-stage').concept)).toEqual(['registration', 'assessment', 'consultation', 'counselling', 'closure']);
    const documents = codeSystem('document-type').concept!;
    expect(documents).toHaveLength(19);
    const forAll = documents.filter((d) => property(d, 'required-for-all')[0] === true).map((d) => d.code);
    expect(forAll).toEqual(['passport-or-national-id', 'primary-degree', 'transcript', 'cv', 'passport-photo', 'proof-of-address']);
    const forType = (type: string) => documents.filter((d) => property(d, 'required-for').includes(type)).map((d) => d.code);
    expect(forType('doctor')).toEqual(['council-registration', 'certificate-of-good-standing', 'internship-certificate', 'reference-letter']);
    expect(forType('pharmacist')).toEqual(['council-registration', 'certificate-of-good-standing', 'internship-certificate']);
    expect(forType('nurse')).toEqual(['council-registration', 'reference-letter', 'current-practising-license']);
  });

  it('ISO 3166-2: 37 in Nigeria, 9 in South Africa, 8 in Australia, 51 in the US; the country ValueSets list exactly them', () => {
    const iso = ours.find('CodeSystem', ISO)!;
    expect(iso.content).toBe('fragment');
    const byCountry = (country: string) => iso.concept!.filter((c) => property(c, 'country')[0] === country).map((c) => c.code!);
    const expected = { NG: 37, ZA: 9, AU: 8, US: 51 };
    for (const [country, count] of Object.entries(expected)) {
      const list = byCountry(country);
      expect(list, country).toHaveLength(count);
      for (const code of list) expect(code.startsWith(`${country}-`), code).toBe(true);
    }
    expect(iso.concept).toHaveLength(37 + 9 + 8 + 51);
    expect(byCountry('NG')).toEqual(expect.arrayContaining(['NG-AB', 'NG-FC', 'NG-LA', 'NG-ZA']));
    expect(byCountry('ZA').sort()).toEqual(['ZA-EC', 'ZA-FS', 'ZA-GP', 'ZA-KZN', 'ZA-LP', 'ZA-MP', 'ZA-NC', 'ZA-NW', 'ZA-WC']);
    expect(byCountry('AU').sort()).toEqual(['AU-ACT', 'AU-NSW', 'AU-NT', 'AU-QLD', 'AU-SA', 'AU-TAS', 'AU-VIC', 'AU-WA']);
    expect(byCountry('US')).toContain('US-DC');
    const sets: Record<string, string> = { NG: 'ng-states', ZA: 'za-provinces', AU: 'au-states', US: 'us-states' };
    for (const [country, id] of Object.entries(sets)) {
      const include = (valueSet(id) as ValueSet).compose!.include;
      expect(include).toHaveLength(1);
      expect(include[0]!.system).toBe(ISO);
      expect(include[0]!.concept!.map((c) => c.code)).toEqual(byCountry(country));
    }
    expect(valueSet('jurisdictions').compose!.include.flatMap((i) => i.valueSet)).toEqual(Object.values(sets).map((id) => `${BASE}/ValueSet/${id}`));
  });

  it('NamingSystems for the patient and practitioner identifier systems, each with one preferred uri', () => {
    const naming = ours.resources.filter((r): r is NamingSystem & { id: string } => r.resourceType === 'NamingSystem');
    expect(naming.map((n) => n.id).sort()).toEqual(
      ['au-ahpra', 'au-hpi-i', 'au-ihi', 'au-medicare-number', 'au-prescriber-number', 'license-number', 'mrn', 'ng-mdcn', 'ng-nin', 'ng-nmcn', 'ng-pcn', 'za-hpcsa', 'za-medical-aid-number'],
    );
    for (const n of naming) {
      expect(n.kind).toBe('identifier');
      expect(n.uniqueId.filter((u) => u.type === 'uri' && u.preferred), n.id).toHaveLength(1);
    }
  });
});
