import { describe, expect, it } from 'vitest';
import type { BundleEntry } from '@medplum/fhirtypes';
import {
  assignIdentities,
  parseConditionalReference,
  rewriteConditional,
  rewriteTemporary,
} from '../../../../src/fhir/bundle/references';

const PATIENT = 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a';
const ORG = 'urn:oid:1.2.3.4';

describe('transaction references', () => {
  const entries: BundleEntry[] = [
    { fullUrl: PATIENT, resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
    { fullUrl: ORG, resource: { resourceType: 'Organization', id: 'org-1' }, request: { method: 'PUT', url: 'Organization/org-1' } },
    { fullUrl: 'urn:uuid:gone', request: { method: 'DELETE', url: 'Patient/x' } },
  ];

  it('gives POST entries a new id and PUT entries their URL id', () => {
    const identities = assignIdentities(entries);
    expect(identities.get(PATIENT)).toMatch(/^Patient\/[0-9a-f-]{36}$/);
    expect(identities.get(ORG)).toBe('Organization/org-1');
    expect(identities.has('urn:uuid:gone')).toBe(false);
    expect(() => assignIdentities([entries[0]!, entries[0]!])).toThrow(/used twice/);
  });

  it('rewrites references everywhere, including extensions, contained resources and narrative links', () => {
    const identities = new Map([[PATIENT, 'Patient/p1'], [ORG, 'Organization/o1']]);
    const observation = {
      resourceType: 'Observation',
      text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><a href="${PATIENT}">p</a><img src="${ORG}"/><a href="urn:uuid:other">x</a></div>` },
      subject: { reference: PATIENT },
      extension: [{ url: 'http://x', valueReference: { reference: ORG } }],
      contained: [{ resourceType: 'Provenance', target: [{ reference: PATIENT }] }],
      performer: [{ reference: 'Practitioner?identifier=http://npi|123' }, { reference: 'Practitioner/keep' }],
      identifier: [{ value: PATIENT }],
    };
    const conditional = rewriteTemporary(observation, identities);
    expect(observation.subject.reference).toBe('Patient/p1');
    expect(observation.extension[0]!.valueReference.reference).toBe('Organization/o1');
    expect(observation.contained[0]!.target[0]!.reference).toBe('Patient/p1');
    expect(observation.text.div).toContain('href="Patient/p1"');
    expect(observation.text.div).toContain('src="Organization/o1"');
    expect(observation.text.div).toContain('href="urn:uuid:other"');
    expect(observation.identifier[0]!.value).toBe(PATIENT); // identifiers are not references
    expect(conditional).toEqual(['Practitioner?identifier=http://npi|123']);
    rewriteConditional(observation, new Map([['Practitioner?identifier=http://npi|123', 'Practitioner/pr1']]));
    expect(observation.performer.map((p) => p.reference)).toEqual(['Practitioner/pr1', 'Practitioner/keep']);
  });

  it('refuses a reference to a temporary identity no entry gives, except inside a Bundle stored as a resource', () => {
    const identities = new Map([[PATIENT, 'Patient/p1']]);
    const dangling = { resourceType: 'Observation', subject: { reference: 'urn:uuid:0b1f0000-0000-4000-8000-000000000001' } };
    expect(() => rewriteTemporary(dangling, identities)).toThrow(/names no entry of this transaction/);
    expect(() => rewriteTemporary({ resourceType: 'Observation', subject: { reference: 'urn:uuid:gone' } }, identities)).toThrow(/names no entry/);
    const document = { resourceType: 'Bundle', type: 'document', entry: [{ fullUrl: 'urn:uuid:c1', resource: { resourceType: 'Composition', subject: { reference: 'urn:uuid:p9' } } }] };
    expect(rewriteTemporary(document, identities)).toEqual([]);
    expect(document.entry[0]!.resource.subject.reference).toBe('urn:uuid:p9');
  });

  it('parses conditional references', () => {
    expect(parseConditionalReference('Patient?identifier=http://x|1')).toEqual({ type: 'Patient', query: 'identifier=http://x|1' });
    expect(parseConditionalReference('Patient/1')).toBeUndefined();
  });
});
