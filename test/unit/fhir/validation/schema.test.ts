import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { createSchemaValidator, MAX_ISSUES } from '../../../../src/fhir/validation/schema';
import { loadFhirSchema } from '../../../../src/fhir/validation/schema-load';
import { SCHEMA_EXCLUSIONS } from '../../../fixtures/schema-exclusions';

const require = createRequire(import.meta.url);
const examplesDir = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));
const validator = createSchemaValidator();

/** [expression, code] of every issue, for exact comparison. */
function located(resource: unknown): [string | undefined, string][] {
  return validator.validate(resource).map((i) => [i.expression?.[0], i.code]);
}

function only(resource: unknown): OperationOutcomeIssue {
  const issues = validator.validate(resource);
  expect(issues).toHaveLength(1);
  return issues[0] as OperationOutcomeIssue;
}

describe('schema validation of the official R4 examples', () => {
  const files = readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json') && f !== 'package.json')
    .sort();

  it('accepts every example except the documented schema breakers', () => {
    const failing: string[] = [];
    let validated = 0;
    for (const file of files) {
      const resource: unknown = JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8'));
      if (typeof (resource as { resourceType?: unknown }).resourceType !== 'string') continue;
      validated++;
      const issues = validator.validate(resource);
      if (issues.length > 0) failing.push(file);
      for (const i of issues) {
        expect(i.severity).toBe('error');
        expect(['structure', 'value', 'required']).toContain(i.code);
      }
    }
    expect(validated).toBeGreaterThan(5000); // 5,306 in 4.0.1
    expect(failing).toEqual([...SCHEMA_EXCLUSIONS.keys()].sort());
    console.log(`schema: ${validated - failing.length}/${validated} official examples valid, ${failing.length} excluded`);
  }, 120_000);

  it('rejects excluded examples for the documented reasons', () => {
    const excluded = 'SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json';
    const resource: unknown = JSON.parse(readFileSync(path.join(examplesDir, excluded), 'utf8'));
    expect(located(resource)).toEqual([['SearchParameter.id', 'value']]);
    const read = (file: string): unknown => JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8'));
    expect(located(read('ImplementationGuide-fhir.json'))).toEqual([
      ['ImplementationGuide.name', 'required'],
      ['ImplementationGuide.status', 'required'],
    ]);
    expect(located(read('SearchParameter-valueset-extensions-ValueSet-end.json'))).toEqual([['SearchParameter.base', 'required']]);
  });
});

describe('schema validation: not a resource', () => {
  it.each([
    ['null', null],
    ['array', [{ resourceType: 'Patient' }]],
    ['string', 'Patient'],
    ['number', 42],
  ])('rejects %s', (found, value) => {
    const i = only(value);
    expect(i).toMatchObject({ severity: 'error', code: 'structure' });
    expect(i.diagnostics).toContain(`found ${found}`);
    expect(i.expression).toBeUndefined();
  });

  it('rejects a missing, non-string or unknown resourceType', () => {
    expect(only({ id: 'x' })).toMatchObject({ code: 'structure', diagnostics: 'Missing resourceType', expression: ['resourceType'] });
    expect(only({ resourceType: 7 })).toMatchObject({ code: 'structure', expression: ['resourceType'] });
    expect(only({ resourceType: 'Patients' })).toMatchObject({
      code: 'structure',
      diagnostics: "Unknown resourceType 'Patients'",
      expression: ['resourceType'],
    });
    expect(only({ resourceType: 'constructor' }).diagnostics).toBe("Unknown resourceType 'constructor'");
    expect(only({ resourceType: 'ResourceList' }).code).toBe('structure');
  });
});

describe('schema validation: targeted errors', () => {
  it('accepts minimal valid resources', () => {
    expect(validator.validate({ resourceType: 'Patient' })).toEqual([]);
    expect(validator.validate({ resourceType: 'Observation', status: 'final', code: { text: 'x' } })).toEqual([]);
  });

  it('reports an unknown element at the element itself', () => {
    expect(only({ resourceType: 'Patient', foo: 1 })).toEqual({
      severity: 'error',
      code: 'structure',
      diagnostics: "Unknown element 'foo'",
      expression: ['Patient.foo'],
    });
    expect(located({ resourceType: 'Patient', name: [{ family: 'A' }, { given: ['B'], nickname: 'C' }] })).toEqual([
      ['Patient.name[1].nickname', 'structure'],
    ]);
    expect(located(JSON.parse('{"resourceType":"Patient","__proto__":{"active":true}}'))).toEqual([['Patient.__proto__', 'structure']]);
  });

  it('reports wrong JSON types', () => {
    expect(only({ resourceType: 'Patient', active: 'true' })).toMatchObject({
      code: 'structure',
      diagnostics: 'Expected boolean, found string',
      expression: ['Patient.active'],
    });
    expect(only({ resourceType: 'Patient', name: { family: 'A' } })).toMatchObject({
      code: 'structure',
      diagnostics: 'Expected array, found object',
      expression: ['Patient.name'],
    });
    expect(located({ resourceType: 'Patient', name: ['A'] })).toEqual([['Patient.name[0]', 'structure']]);
    expect(located({ resourceType: 'Patient', name: [{ given: ['A', 3] }] })).toEqual([['Patient.name[0].given[1]', 'structure']]);
    expect(located({ resourceType: 'Observation', status: 'final', code: {}, valueQuantity: { value: '5' } })).toEqual([
      ['Observation.valueQuantity.value', 'structure'],
    ]);
    expect(located({ resourceType: 'Patient', text: { status: 'generated', div: 5 } })).toEqual([['Patient.text.div', 'structure']]);
  });

  it('reports nulls where a value is required', () => {
    expect(only({ resourceType: 'Patient', birthDate: null })).toMatchObject({
      code: 'structure',
      diagnostics: 'Expected string, found null',
      expression: ['Patient.birthDate'],
    });
    expect(located({ resourceType: 'Patient', name: [null] })).toEqual([['Patient.name[0]', 'structure']]);
    expect(located({ resourceType: 'Patient', _birthDate: null })).toEqual([['Patient._birthDate', 'structure']]);
  });

  it('accepts null in repeating primitives and their _x siblings, as the JSON format allows', () => {
    const extension = [{ url: 'http://example.org/x', valueString: 'y' }];
    expect(validator.validate({ resourceType: 'Patient', name: [{ given: ['A', null], _given: [null, { extension }] }] })).toEqual([]);
  });

  it('reports bad dates, ids, codes, strings and integers as value errors', () => {
    expect(only({ resourceType: 'Patient', birthDate: '2020-13-45' })).toEqual({
      severity: 'error',
      code: 'value',
      diagnostics: "Invalid date '2020-13-45' (expected YYYY, YYYY-MM or YYYY-MM-DD)",
      expression: ['Patient.birthDate'],
    });
    expect(located({ resourceType: 'Observation', status: 'final', code: {}, effectiveDateTime: '2020-01-01T10:00' })).toEqual([
      ['Observation.effectiveDateTime', 'value'],
    ]);
    for (const id of ['a b', 'x'.repeat(65), '', 'a/b', 'é']) {
      expect(located({ resourceType: 'Patient', id })).toEqual([['Patient.id', 'value']]);
    }
    expect(validator.validate({ resourceType: 'Patient', id: `A-z.0${'9'.repeat(59)}` })).toEqual([]);
    expect(only({ resourceType: 'Patient', id: 'a b' }).diagnostics).toMatch(/^Invalid id 'a b'/);
    expect(located({ resourceType: 'Observation', status: 'final', code: { coding: [{ code: ' abc' }] } })).toEqual([
      ['Observation.code.coding[0].code', 'value'],
    ]);
    expect(located({ resourceType: 'Patient', language: 'en  US' })).toEqual([['Patient.language', 'value']]);
    expect(located({ resourceType: 'Patient', language: 'en\tUS ' })).toEqual([['Patient.language', 'value']]);
    expect(only({ resourceType: 'Patient', gender: 'man' })).toMatchObject({ code: 'value', expression: ['Patient.gender'] });
    expect(located({ resourceType: 'Patient', name: [{ family: '' }] })).toEqual([['Patient.name[0].family', 'value']]);
    expect(located({ resourceType: 'Patient', implicitRules: 'http://x y' })).toEqual([['Patient.implicitRules', 'value']]);
    expect(located({ resourceType: 'Patient', multipleBirthInteger: 1.5 })).toEqual([['Patient.multipleBirthInteger', 'value']]);
    expect(located({ resourceType: 'Patient', multipleBirthInteger: 2 ** 31 })).toEqual([['Patient.multipleBirthInteger', 'value']]);
  });

  it('accepts the no-break space, which the spec regexes (XML Schema \\s) allow', () => {
    expect(validator.validate({ resourceType: 'Patient', name: [{ text: 'A\u00a0B' }], language: 'en\u00a0US' })).toEqual([]);
  });

  it('rejects an invalid base64 value without catastrophic backtracking', () => {
    const value = `${'AAAA  '.repeat(40)}!`;
    expect(located({ resourceType: 'Basic', code: {}, extension: [{ url: 'http://x', valueBase64Binary: value }] })).toEqual([
      ['Basic.extension[0].valueBase64Binary', 'value'],
    ]);
  });

  it('checks every base64Binary element, including values of several MB (the regex overflowed)', () => {
    const large = Buffer.alloc(4 * 1024 * 1024, 7).toString('base64');
    expect(located({ resourceType: 'Basic', code: {}, extension: [{ url: 'http://x', valueBase64Binary: large }] })).toEqual([]);
    expect(located({ resourceType: 'Binary', contentType: 'text/plain', data: large })).toEqual([]);
    expect(located({ resourceType: 'Binary', contentType: 'text/plain', data: 'SGVs bG8=\n' })).toEqual([]);
    expect(located({ resourceType: 'Binary', contentType: 'text/plain', data: '!!!' })).toEqual([['Binary.data', 'value']]);
    expect(located({ resourceType: 'Binary', contentType: 'text/plain', data: 'SGVsbG8' })).toEqual([['Binary.data', 'value']]);
    expect(located({ resourceType: 'Binary', contentType: 'text/plain', data: `${large}!` })).toEqual([['Binary.data', 'value']]);
    const attachment = only({ resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/plain', data: 'not base64' } }] });
    expect(attachment.expression).toEqual(['DocumentReference.content[0].attachment.data']);
    expect(attachment.diagnostics).toMatch(/^Invalid base64Binary 'not base64' \(expected base64\)/);
  });

  it('reports missing required elements at the missing element', () => {
    expect(only({ resourceType: 'Observation', status: 'final' })).toEqual({
      severity: 'error',
      code: 'required',
      diagnostics: 'Observation.code: minimum required = 1, but only found 0',
      expression: ['Observation.code'],
    });
  });

  it('treats injection keys as unknown elements and injection objects as wrong types', () => {
    expect(only(JSON.parse('{"resourceType":"Patient","$gt":""}'))).toMatchObject({
      code: 'structure',
      diagnostics: "Unknown element '$gt'",
      expression: ['Patient.`$gt`'],
    });
    expect(located({ resourceType: 'Patient', id: { $gt: '' } })).toEqual([['Patient.id', 'structure']]);
    expect(located({ resourceType: 'Patient', identifier: [{ value: { $ne: null } }] })).toEqual([
      ['Patient.identifier[0].value', 'structure'],
    ]);
    expect(located({ resourceType: 'Patient', name: [{ $where: 'sleep(1000)' }] })).toEqual([['Patient.name[0].`$where`', 'structure']]);
  });
});

describe('schema validation: nested resources', () => {
  it('reports errors inside Bundle.entry.resource with their real path', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Patient', birthDate: '2020-02' } },
        { resource: { resourceType: 'Patient', birthDate: '2020-13-45', foo: true } },
      ],
    };
    expect(located(bundle)).toEqual([
      ['Bundle.entry[1].resource.ofType(Patient).foo', 'structure'],
      ['Bundle.entry[1].resource.ofType(Patient).birthDate', 'value'],
    ]);
  });

  it('reports errors inside contained resources', () => {
    const patient = {
      resourceType: 'Patient',
      contained: [{ resourceType: 'Organization', id: 'org', name: 5 }],
      managingOrganization: { reference: '#org' },
    };
    expect(only(patient)).toMatchObject({
      code: 'structure',
      diagnostics: 'Expected string, found number',
      expression: ['Patient.contained[0].ofType(Organization).name'],
    });
  });

  it('dispatches on the nested resourceType, however deep', () => {
    const parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'p',
          resource: {
            resourceType: 'Bundle',
            type: 'collection',
            entry: [{ resource: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', active: 1 } }] } }],
          },
        },
      ],
    };
    expect(located(parameters)).toEqual([
      ['Parameters.parameter[0].resource.ofType(Bundle).entry[0].resource.ofType(Bundle).entry[0].resource.ofType(Patient).active', 'structure'],
    ]);
  });

  it('rejects nested values that are not resources', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: 'Patient/1' }, { resource: { id: 'x' } }, { resource: { resourceType: 'Nope' } }, { resource: { resourceType: 1 } }],
    };
    expect(located(bundle)).toEqual([
      ['Bundle.entry[0].resource', 'structure'],
      ['Bundle.entry[1].resource.resourceType', 'structure'],
      ['Bundle.entry[2].resource.resourceType', 'structure'],
      ['Bundle.entry[3].resource.resourceType', 'structure'],
    ]);
    expect(located({ resourceType: 'Patient', contained: [null] })).toEqual([['Patient.contained[0]', 'structure']]);
  });
});

describe('schema validation: limits', () => {
  it(`reports at most ${MAX_ISSUES} errors and says how many more there were`, () => {
    const resource = { resourceType: 'Patient', ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`x${i}`, i])) };
    const issues = validator.validate(resource);
    expect(issues.filter((i) => i.severity === 'error')).toHaveLength(MAX_ISSUES);
    expect(issues.at(-1)).toMatchObject({ severity: 'information', code: 'informational' });
    expect(issues.at(-1)?.diagnostics).toContain('10 further');
  });

  it('reports one issue per location', () => {
    const issues = validator.validate({ resourceType: 'Patient', name: [{ given: [1, 2] }], birthDate: 3 });
    const expressions = issues.map((i) => i.expression?.[0]);
    expect(new Set(expressions).size).toBe(expressions.length);
  });

  it('turns unbounded nesting into a structure issue instead of throwing', () => {
    let extension: Record<string, unknown> = { url: 'http://x', valueString: 'v' };
    for (let i = 0; i < 50_000; i++) extension = { url: 'http://x', extension: [extension] };
    expect(only({ resourceType: 'Patient', extension: [extension] })).toMatchObject({ code: 'structure' });
  });

  it('shares the loaded schema and compiled validators across instances', () => {
    expect(loadFhirSchema()).toBe(loadFhirSchema());
    expect(createSchemaValidator().validate({ resourceType: 'Patient', foo: 1 })).toEqual(validator.validate({ resourceType: 'Patient', foo: 1 }));
  });
});

describe('calendar days', () => {
  const validator = createSchemaValidator();
  it('rejects dates that name no real day, in date, dateTime and instant elements', () => {
    const bad = validator.validate({ resourceType: 'Patient', birthDate: '2021-02-29' });
    expect(bad).toHaveLength(1);
    expect(bad[0]!.code).toBe('value');
    expect(bad[0]!.expression).toEqual(['Patient.birthDate']);
    expect(validator.validate({ resourceType: 'Patient', birthDate: '2020-02-29' })).toEqual([]);
    expect(validator.validate({ resourceType: 'Patient', deceasedDateTime: '2021-04-31T10:00:00Z' })[0]!.expression).toEqual(['Patient.deceasedDateTime']);
    expect(validator.validate({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, issued: '2021-06-31T00:00:00Z' })).toHaveLength(1);
  });
});

describe('base cardinality (min >= 1 and single-type choices, from the R4 StructureDefinitions)', () => {
  const observation = { resourceType: 'Observation', status: 'final', code: { text: 'Heart rate' } };

  it('requires mandatory primitives, also when only their _x extension is given', () => {
    expect(only({ resourceType: 'Observation', code: { text: 'x' } })).toEqual({
      severity: 'error',
      code: 'required',
      diagnostics: 'Observation.status: minimum required = 1, but only found 0',
      expression: ['Observation.status'],
    });
    const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    expect(located({ resourceType: 'Observation', _status: absent, code: { text: 'x' } })).toEqual([]);
    expect(located({ resourceType: 'Bundle' })).toEqual([['Bundle.type', 'required']]);
  });

  it('requires mandatory elements of datatypes and backbone elements wherever their parent appears', () => {
    expect(located({ ...observation, component: [{ code: { text: 'a' } }, { valueString: 'b' }] })).toEqual([['Observation.component[1].code', 'required']]);
    expect(located({ resourceType: 'Patient', extension: [{ valueString: 'x' }] })).toEqual([['Patient.extension[0].url', 'required']]);
    expect(located({ resourceType: 'Patient', text: { status: 'generated' } })).toEqual([['Patient.text.div', 'required']]);
    expect(located({ resourceType: 'Patient', _birthDate: { extension: [{ valueBoolean: true }] } })).toEqual([['Patient._birthDate.extension[0].url', 'required']]);
    const entry = { request: { url: 'Patient' }, resource: { resourceType: 'Patient' } };
    expect(located({ resourceType: 'Bundle', type: 'transaction', entry: [entry] })).toEqual([['Bundle.entry[0].request.method', 'required']]);
    // Questionnaire.item.item is a contentReference to Questionnaire.item: same rules, any depth.
    const item = { linkId: '1', type: 'group', item: [{ linkId: '1.1', item: [{ type: 'string' }] }] };
    expect(located({ resourceType: 'Questionnaire', status: 'draft', item: [item] })).toEqual([
      ['Questionnaire.item[0].item[0].item[0].linkId', 'required'],
      ['Questionnaire.item[0].item[0].type', 'required'],
    ]);
  });

  it('requires a mandatory choice in any one of its types', () => {
    const quantity = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [{ code: { text: 'y' }, valueQuantity: { value: 1 } }] };
    expect(located(quantity)).toEqual([]);
    expect(located({ resourceType: 'Patient', extension: [{ url: 'http://x.org/e', valueString: 'a' }] })).toEqual([]);
    const usage = { code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' } };
    expect(only({ resourceType: 'ValueSet', status: 'draft', useContext: [usage] })).toEqual({
      severity: 'error',
      code: 'required',
      diagnostics: 'UsageContext.value[x]: minimum required = 1, but only found 0',
      expression: ['ValueSet.useContext[0].value'],
    });
  });

  it('refuses a choice given in two types, counting an _x extension as its type', () => {
    expect(only({ resourceType: 'Patient', deceasedBoolean: true, deceasedDateTime: '2020-01-01' })).toEqual({
      severity: 'error',
      code: 'structure',
      diagnostics: 'Patient.deceased[x]: only one type is allowed, but found deceasedBoolean, deceasedDateTime',
      expression: ['Patient.deceasedDateTime'],
    });
    expect(located({ resourceType: 'Patient', _deceasedBoolean: { id: 'a' }, deceasedDateTime: '2020' })).toEqual([['Patient.deceasedDateTime', 'structure']]);
    expect(located({ ...observation, valueString: 'a', valueQuantity: { value: 1 }, valueBoolean: true })).toEqual([['Observation.valueQuantity', 'structure']]);
    expect(located({ resourceType: 'Patient', extension: [{ url: 'http://x.org/e', valueString: 'a', valueMeta: {} }] })).toEqual([['Patient.extension[0].valueMeta', 'structure']]);
    expect(located({ ...observation, valueString: 'a', _valueString: { id: 'x' } })).toEqual([]);
  });

  it('applies inside nested resources', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation', code: { text: 'x' } } }] };
    expect(located(bundle)).toEqual([['Bundle.entry[0].resource.ofType(Observation).status', 'required']]);
    expect(located({ resourceType: 'Patient', contained: [{ resourceType: 'Observation', status: 'final' }] })).toEqual([
      ['Patient.contained[0].ofType(Observation).code', 'required'],
    ]);
  });
});
