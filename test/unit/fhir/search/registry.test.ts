import type { SearchParameter } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../../src/fhir/definitions';
import { FhirError } from '../../../../src/fhir/outcomes';
import { SearchRegistry } from '../../../../src/fhir/search/registry';
import { extract, entries, registry } from './helpers';

const definitions = loadDefinitions();

describe('SearchRegistry: R4 core parameters', () => {
  it('keeps only the branches of a shared union expression that apply to the type', () => {
    const name = registry().get('Practitioner', 'name');
    expect(name?.expression).toBe('Practitioner.name');
    const patient = registry().get('Observation', 'patient');
    expect(patient?.expression).toBe('Observation.subject.where(resolve() is Patient)');
    expect(patient?.targets).toEqual(['Patient']);
    expect(registry().get('Condition', 'code')?.expression).toBe('Condition.code');
  });

  it('gives every type the Resource-level parameters; _text and _content have no expression', () => {
    for (const type of ['Patient', 'Bundle', 'Binary', 'Observation']) {
      const params = registry().forType(type);
      for (const code of ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']) {
        expect(params.get(code)?.supported, `${type}.${code}`).toBe(true);
      }
      expect(params.get('_content')?.supported).toBe(false);
    }
    expect(registry().get('Patient', '_text')?.supported).toBe(false);
    expect(registry().get('Bundle', '_text')).toBeUndefined(); // DomainResource only
    expect(registry().get('Patient', '_lastUpdated')?.comparators).toContain('sa');
  });

  it('applies the errata: as → ofType, DateTime → dateTime', () => {
    const valueQuantity = registry().get('Observation', 'value-quantity');
    expect(valueQuantity?.expression).toBe('(Observation.value as Quantity) | (Observation.value as SampledData)');
    expect(valueQuantity?.fhirpath).toBe('(Observation.value.ofType(Quantity)) | (Observation.value.ofType(SampledData))');
    const codeValueDate = registry().get('Observation', 'code-value-date');
    expect(codeValueDate?.components?.[1]?.expression).toBe('value.ofType(dateTime) | value.ofType(Period)');
  });

  it('resolves composite components to their own parameters', () => {
    const info = registry().get('Observation', 'component-code-value-quantity');
    expect(info?.components?.map((c) => [c.code, c.type])).toEqual([['component-code', 'token'], ['component-value-quantity', 'quantity']]);
    // R4 errata: the definitions of DocumentReference `relationship` are swapped.
    const relationship = registry().get('DocumentReference', 'relationship');
    expect(relationship?.components?.map((c) => [c.expression, c.type])).toEqual([['code', 'token'], ['target', 'reference']]);
  });

  it('compiles every R4 expression; all but Patient.deceased on the fast path', () => {
    const fallbacks: string[] = [];
    const bySp = new Map<string, boolean>();
    for (const type of definitions.resourceTypes) {
      for (const info of registry().forType(type).values()) {
        if (!info.definition.expression) continue;
        expect(info.compiled, `${type}.${info.code}`).toBeDefined();
        const fast = info.compiled!.fast;
        if (!fast) fallbacks.push(`${type}.${info.code}`);
        bySp.set(info.url, (bySp.get(info.url) ?? true) && fast);
        for (const component of info.components ?? []) {
          for (const t of info.compiled!.outputTypes ?? []) {
            expect(component.compile(t).fast, `${type}.${info.code} ${component.code} on ${t}`).toBe(true);
          }
        }
      }
    }
    const ours = new Set(definitions.profiles.searchParameters.map((sp) => sp.url));
    const r4 = [...bySp].filter(([url]) => !ours.has(url));
    expect(r4.length).toBe(1372);
    expect(r4.filter(([, fast]) => fast).length).toBe(1371);
    // Ours (profiles/) all compile to the fast path too.
    expect([...bySp].filter(([url, fast]) => ours.has(url) && !fast)).toEqual([]);
    expect(fallbacks).toEqual(['Patient.deceased']);
  });
});

describe('SearchRegistry.add: custom SearchParameters', () => {
  const custom = (over: Partial<SearchParameter>): SearchParameter => ({
    resourceType: 'SearchParameter',
    url: 'https://baobab.example/SearchParameter/x',
    name: 'x',
    status: 'active',
    description: 'x',
    code: 'x',
    base: ['Patient'],
    type: 'string',
    expression: 'Patient.name.family',
    ...over,
  });

  it('registers a parameter and replaces the core one with the same code', () => {
    const reg = new SearchRegistry(definitions);
    reg.add(custom({ code: 'nickname', expression: "Patient.name.where(use = 'nickname').given" }));
    const info = reg.get('Patient', 'nickname');
    expect(info?.compiled?.fast).toBe(true);
    const patient = { resourceType: 'Patient', name: [{ use: 'official', given: ['Robert'] }, { use: 'nickname', given: ['Bob'] }] };
    expect(entries(extract(patient, reg), 'str', 'nickname')).toEqual([{ n: 'bob', x: 'Bob' }]);

    reg.add(custom({ code: 'gender', type: 'token', expression: 'Patient.extension(\'https://x/sex\').value' }));
    expect(reg.get('Patient', 'gender')?.expression).toBe("Patient.extension('https://x/sex').value");
    const withSex = { resourceType: 'Patient', gender: 'male', extension: [{ url: 'https://x/sex', valueCode: 'F' }] };
    expect(entries(extract(withSex, reg), 'tok', 'gender')).toEqual([{ c: 'F' }]);
    expect(registry().get('Patient', 'gender')?.expression).toBe('Patient.gender'); // other registries unchanged

    reg.remove('https://baobab.example/SearchParameter/x'); // the last version added: `gender`
    expect(reg.get('Patient', 'gender')?.expression).toBe('Patient.gender');
    expect(reg.get('Patient', 'nickname')).toBeUndefined(); // replaced by the later version of the same url
  });

  it('registers composites whose components are known', () => {
    const reg = new SearchRegistry(definitions);
    reg.add(custom({
      code: 'name-period',
      type: 'composite',
      expression: 'Patient.name',
      component: [
        { definition: 'http://hl7.org/fhir/SearchParameter/individual-family', expression: 'family' },
        { definition: 'http://hl7.org/fhir/SearchParameter/individual-birthdate', expression: 'period' },
      ],
    }));
    const patient = { resourceType: 'Patient', name: [{ family: 'Ng', period: { start: '2020' } }] };
    expect(extract(patient, reg).comp?.find((c) => c.p === 'name-period')?.c).toEqual([
      { n: 'ng', x: 'Ng' },
      { lo: new Date('2020-01-01T00:00:00Z'), hi: new Date(8640000000000000) },
    ]);
  });

  it('refuses parameters it cannot use, with a 400 FhirError, changing nothing', () => {
    const reg = new SearchRegistry(definitions);
    const refused = (sp: SearchParameter) => {
      try {
        reg.add(sp);
      } catch (err) {
        expect(err).toBeInstanceOf(FhirError);
        return (err as FhirError).status;
      }
      return 0;
    };
    expect(refused(custom({ code: 'a.b' }))).toBe(400);
    expect(refused(custom({ code: '_sort' }))).toBe(400);
    expect(refused(custom({ type: 'fancy' as SearchParameter['type'] }))).toBe(400);
    expect(refused(custom({ expression: 'Patient.name.(' }))).toBe(400);
    expect(refused(custom({ expression: undefined }))).toBe(400);
    expect(refused(custom({ base: ['NotAType' as 'Patient'] }))).toBe(400);
    expect(refused(custom({ expression: 'Observation.code' }))).toBe(400); // nothing applies to Patient
    expect(refused(custom({ type: 'composite', component: [{ definition: 'https://nowhere/x', expression: 'x' }] }))).toBe(400);
    expect(reg.get('Patient', 'x')).toBeUndefined();
  });
});
