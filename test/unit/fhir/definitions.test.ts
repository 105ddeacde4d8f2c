/**
 * The loaded definitions against the oracle: the pure HL7 R4 definitions in
 * hl7.fhir.r4.examples@4.0.1 (never loaded at runtime).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/fhir/definitions';
import { KEPT_INVARIANT_CORRECTIONS } from '../../../src/fhir/definitions/medplum-additions';

const ORACLE_DIR = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

interface OracleResource {
  resourceType: string;
  id?: string;
  url?: string;
  [key: string]: unknown;
}

function oracle(prefix: string): OracleResource[] {
  return readdirSync(ORACLE_DIR)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(ORACLE_DIR, f), 'utf8')) as OracleResource);
}

const defs = loadDefinitions();
const oracleSds = oracle('StructureDefinition') as unknown as StructureDefinition[];
const oracleSdByUrl = new Map(oracleSds.map((sd) => [sd.url, sd]));

/** Paths where two JSON values differ (empty when equal). */
function differences(a: unknown, b: unknown, path = '$', out: string[] = []): string[] {
  if (a === b) return out;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`, out);
    return out;
  }
  out.push(`${path}: ${JSON.stringify(a)?.slice(0, 120)} ≠ ${JSON.stringify(b)?.slice(0, 120)}`);
  return out;
}

/** A copy without narrative (Medplum ships it whitespace-collapsed) and with the R4 text of the kept invariant corrections. */
function comparable<T extends { text?: unknown }>(resource: T): Omit<T, 'text'> {
  const { text: _text, ...rest } = structuredClone(resource);
  const sd = rest as unknown as StructureDefinition;
  for (const element of [...(sd.snapshot?.element ?? []), ...(sd.differential?.element ?? [])]) {
    for (const constraint of element.constraint ?? []) {
      const fix = KEPT_INVARIANT_CORRECTIONS.find((c) => c.path === element.path && c.key === constraint.key);
      if (fix) constraint.expression = fix.r4;
    }
  }
  return rest;
}

function elementSummary(e: ElementDefinition): unknown {
  return { path: e.path, type: e.type, min: e.min, max: e.max, isSummary: e.isSummary, isModifier: e.isModifier, contentReference: e.contentReference };
}

describe('loadDefinitions', () => {
  it('is memoised', () => {
    expect(loadDefinitions()).toBe(defs);
  });

  it('has exactly the 146 concrete R4 resource types of the HL7 oracle, sorted', () => {
    const expected = oracleSds
      .filter((sd) => sd.kind === 'resource' && sd.derivation === 'specialization' && sd.abstract !== true)
      .map((sd) => sd.type)
      .sort();
    expect(expected).toHaveLength(146);
    expect(defs.resourceTypes).toEqual(expected);
    expect(defs.isResourceType('Patient')).toBe(true);
    expect(defs.isResourceType('SubscriptionStatus')).toBe(false);
    expect(defs.isResourceType('DomainResource')).toBe(false);
  });

  it('has the R4 base resource and datatype StructureDefinitions (212)', () => {
    const named = new Set(['MetadataResource', 'SimpleQuantity', 'MoneyQuantity']);
    const expected = oracleSds
      .filter((sd) => (sd.kind !== 'logical' && sd.derivation !== 'constraint') || named.has(sd.id ?? ''))
      .map((sd) => sd.url)
      .sort();
    expect(defs.structureDefinitions.map((sd) => sd.url).sort()).toEqual(expected);
    expect(expected).toHaveLength(212);
  });

  it("matches the oracle's snapshot paths, types, cardinalities and isSummary for every StructureDefinition", () => {
    for (const sd of defs.structureDefinitions) {
      const hl7 = oracleSdByUrl.get(sd.url);
      expect(hl7, sd.url).toBeDefined();
      expect(sd.snapshot?.element.map(elementSummary), sd.url).toEqual(hl7?.snapshot?.element.map(elementSummary));
    }
  });

  it('equals the oracle everywhere except narrative whitespace and the 3 kept invariant corrections', () => {
    const diffs = defs.structureDefinitions.flatMap((sd) =>
      differences(comparable(sd), comparable(oracleSdByUrl.get(sd.url) ?? {})).map((d) => `${sd.id} ${d}`),
    );
    expect(diffs).toEqual([]);
    const squash = (div: string | undefined): string => (div ?? '').replace(/<(\w+)([^>]*)\/>/g, '<$1$2></$1>').replace(/\s+/g, '');
    for (const sd of defs.structureDefinitions) {
      expect(squash(sd.text?.div), sd.url).toBe(squash(oracleSdByUrl.get(sd.url)?.text?.div));
    }
  });

  it('keeps the corrected app-4, bdl-8 and tim-9 invariants', () => {
    for (const fix of KEPT_INVARIANT_CORRECTIONS) {
      const type = fix.path.split('.')[0] ?? '';
      const element = defs.getStructureDefinition(type)?.snapshot?.element.find((e) => e.path === fix.path);
      const constraint = element?.constraint?.find((c) => c.key === fix.key);
      expect(constraint?.expression, fix.key).toBeDefined();
      expect(constraint?.expression, fix.key).not.toBe(fix.r4);
    }
  });

  it('has the R4 core SearchParameters of the oracle (1,375: 1,372 with an expression)', () => {
    // The oracle also holds 24 experimental example/extension SearchParameters and the
    // _filter declaration, which are not part of R4's search-parameters.json.
    const expected = oracle('SearchParameter').filter((sp) => sp.experimental !== true && sp.id !== 'filter');
    expect(expected).toHaveLength(1375);
    expect(defs.searchParameters.map((sp) => sp.url).sort()).toEqual(expected.map((sp) => sp.url).sort());
    expect(defs.searchParameters.filter((sp) => sp.expression)).toHaveLength(1372);
    expect(defs.searchParameters.filter((sp) => !sp.expression).map((sp) => sp.id).sort()).toEqual([
      'DomainResource-text',
      'Resource-content',
      'Resource-query',
    ]);
    const byUrl = new Map(expected.map((sp) => [sp.url, sp]));
    const diffs = defs.searchParameters.flatMap((sp) => differences(sp, byUrl.get(sp.url)).map((d) => `${sp.id} ${d}`));
    expect(diffs).toEqual([]);
  });

  it('has the 5 R4 CompartmentDefinitions and 46 OperationDefinitions, as in the oracle', () => {
    const compartments = oracle('CompartmentDefinition').filter((c) => c.id !== 'example');
    expect(defs.compartmentDefinitions.map((c) => c.url).sort()).toEqual(compartments.map((c) => c.url).sort());
    expect(defs.compartmentDefinitions.map((c) => c.code).sort()).toEqual(['Device', 'Encounter', 'Patient', 'Practitioner', 'RelatedPerson']);
    const operations = oracle('OperationDefinition').filter((o) => o.id !== 'example');
    expect(defs.operationDefinitions).toHaveLength(46);
    expect(defs.operationDefinitions.map((o) => o.url).sort()).toEqual(operations.map((o) => o.url).sort());
    const byUrl = new Map([...compartments, ...operations].map((r) => [r.url, r]));
    const diffs = [...defs.compartmentDefinitions, ...defs.operationDefinitions].flatMap((r) =>
      differences(comparable(r), comparable(byUrl.get(r.url) ?? {})).map((d) => `${r.id} ${d}`),
    );
    expect(diffs).toEqual([]);
  });

  it('contains no Medplum URL or element anywhere', () => {
    const all = JSON.stringify([defs.structureDefinitions, defs.searchParameters, defs.compartmentDefinitions, defs.operationDefinitions]);
    expect(all.toLowerCase()).not.toContain('medplum');
    expect(defs.getElement('Meta.project')).toBeUndefined();
    expect(defs.getElement('Meta.lastUpdated')).toBeDefined();
    expect(defs.getStructureDefinition('SubscriptionStatus')).toBeUndefined();
  });
});

describe('element model', () => {
  it('finds StructureDefinitions by type, id or URL', () => {
    expect(defs.getStructureDefinition('Patient')?.url).toBe('http://hl7.org/fhir/StructureDefinition/Patient');
    expect(defs.getStructureDefinition('http://hl7.org/fhir/StructureDefinition/HumanName')?.type).toBe('HumanName');
    expect(defs.getStructureDefinition('SimpleQuantity')?.type).toBe('Quantity');
    expect(defs.getStructureDefinition('Nope')).toBeUndefined();
  });

  it('lists the summary paths of a type, nested ones included', () => {
    const paths = defs.summaryPaths('Patient');
    for (const p of ['Patient.id', 'Patient.meta', 'Patient.implicitRules', 'Patient.name', 'Patient.deceased[x]', 'Patient.link', 'Patient.link.other']) {
      expect(paths.has(p), p).toBe(true);
    }
    for (const p of ['Patient.text', 'Patient.contact', 'Patient.photo', 'Patient.contact.name']) expect(paths.has(p), p).toBe(false);
    expect(defs.summaryPaths('Unknown').size).toBe(0);
  });

  it('lists mandatory top-level elements', () => {
    expect(defs.mandatoryTopLevel('Observation')).toEqual(['status', 'code']);
    expect(defs.mandatoryTopLevel('Patient')).toEqual([]);
    expect(defs.mandatoryTopLevel('Bundle')).toEqual(['type']);
    expect(defs.mandatoryTopLevel('Unknown')).toEqual([]);
  });

  it('resolves choice-type properties, primitive siblings and content references', () => {
    expect(defs.resolveProperty('Observation', 'valueQuantity')?.path).toBe('Observation.value[x]');
    expect(defs.resolveProperty('Observation', 'valueDateTime')?.choiceBase).toBe('value');
    expect(defs.resolveProperty('Observation', '_valueString')?.path).toBe('Observation.value[x]');
    expect(defs.resolveProperty('Observation', 'valueReference')).toBeUndefined(); // not an R4 value[x] type
    expect(defs.resolveProperty('Observation.component', 'valueQuantity')?.path).toBe('Observation.component.value[x]');
    expect(defs.resolveProperty('Patient', '_birthDate')?.path).toBe('Patient.birthDate');
    expect(defs.resolveProperty('Patient', 'contact')?.childrenPath).toBe('Patient.contact');
    expect(defs.resolveProperty('Patient', 'name')?.childrenPath).toBeUndefined();
    expect(defs.resolveProperty('Questionnaire.item', 'item')?.childrenPath).toBe('Questionnaire.item');
    expect(defs.resolveProperty('Patient', 'nope')).toBeUndefined();
    expect(defs.childElements('Patient.link').map((e) => e.name)).toEqual(['id', 'extension', 'modifierExtension', 'other', 'type']);
    expect(defs.getElement('Observation.value[x]')?.typeCodes).toContain('Quantity');
  });
});
