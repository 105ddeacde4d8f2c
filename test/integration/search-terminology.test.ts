/**
 * Token search through the terminology service: `:below`/`:above` over code system hierarchies
 * (nested concepts and `parent` properties, stored here or R4 core) and `:in` over ValueSets
 * whose includes use filters. Expected answers are written out from the hierarchy below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const CS = 'http://example.org/CodeSystem/disorders';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';

async function post(resource: Record<string, unknown>): Promise<void> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function codes(query: string): Promise<string[]> {
  const res = await server.request.get(`/fhir/Condition?${query}`);
  expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
  return ((res.body.entry ?? []) as Array<{ resource: { code: { coding: Array<{ code: string }> } } }>).map((e) => e.resource.code.coding[0]!.code).sort();
}

async function refused(query: string): Promise<string> {
  const res = await server.request.get(`/fhir/Condition?${query}`);
  expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(400);
  expect(res.body.resourceType).toBe('OperationOutcome');
  return res.body.issue[0].diagnostics as string;
}

/**
 * disorder
 * ├── infection            (kind=acute)
 * │   ├── viral            (kind=acute)
 * │   │   └── influenza    (kind=acute)    ← also a child of respiratory, through `parent`
 * │   └── bacterial
 * └── respiratory          (kind=chronic)
 *     └── asthma           (kind=chronic, no display)
 */
const codeSystem = {
  resourceType: 'CodeSystem',
  url: CS,
  status: 'active',
  content: 'complete',
  property: [{ code: 'kind', type: 'code' }, { code: 'parent', type: 'code' }],
  concept: [
    {
      code: 'disorder',
      display: 'Disorder',
      concept: [
        {
          code: 'infection',
          display: 'Infection',
          property: [{ code: 'kind', valueCode: 'acute' }],
          concept: [
            { code: 'viral', display: 'Viral infection', property: [{ code: 'kind', valueCode: 'acute' }], concept: [{ code: 'influenza', display: 'Influenza', property: [{ code: 'kind', valueCode: 'acute' }, { code: 'parent', valueCode: 'respiratory' }] }] },
            { code: 'bacterial', display: 'Bacterial infection' },
          ],
        },
        { code: 'respiratory', display: 'Respiratory disorder', property: [{ code: 'kind', valueCode: 'chronic' }], concept: [{ code: 'asthma', property: [{ code: 'kind', valueCode: 'chronic' }] }] },
      ],
    },
  ],
};

const ALL = ['asthma', 'bacterial', 'disorder', 'infection', 'influenza', 'respiratory', 'viral'];

function valueSet(id: string, include: Record<string, unknown>[], exclude?: Record<string, unknown>[]) {
  return { resourceType: 'ValueSet', status: 'active', url: `http://example.org/ValueSet/${id}`, compose: { include, ...(exclude ? { exclude } : {}) } };
}

beforeAll(async () => {
  server = await startTestServer();
  await post(codeSystem);
  for (const code of ALL) {
    await post({ resourceType: 'Condition', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: CS, code }] } });
  }
  for (const status of ['active', 'recurrence', 'remission', 'resolved']) {
    await post({ resourceType: 'Condition', subject: { reference: 'Patient/p2' }, code: { coding: [{ system: 'urn:other', code: `status-${status}` }] }, clinicalStatus: { coding: [{ system: CLINICAL, code: status }] } });
  }
  const filter = (property: string, op: string, value: string) => ({ system: CS, filter: [{ property, op, value }] });
  await post(valueSet('is-a', [filter('concept', 'is-a', 'infection')]));
  await post(valueSet('descendent-of', [filter('concept', 'descendent-of', 'infection')]));
  await post(valueSet('is-not-a', [filter('concept', 'is-not-a', 'infection')]));
  await post(valueSet('generalizes', [filter('concept', 'generalizes', 'influenza')]));
  await post(valueSet('kind-acute', [filter('kind', '=', 'acute')]));
  await post(valueSet('kind-in', [filter('kind', 'in', 'acute,chronic')]));
  await post(valueSet('kind-not-in', [filter('kind', 'not-in', 'acute')]));
  await post(valueSet('no-kind', [filter('kind', 'exists', 'false')]));
  await post(valueSet('regex', [filter('code', 'regex', '[a-c].*')]));
  await post(valueSet('display-regex', [filter('display', 'regex', '.*infection')]));
  await post(valueSet('parent', [filter('parent', '=', 'respiratory')]));
  await post(valueSet('two-filters', [{ system: CS, filter: [{ property: 'concept', op: 'is-a', value: 'disorder' }, { property: 'kind', op: '=', value: 'chronic' }] }]));
  await post(valueSet('all-but-infections', [{ system: CS }], [filter('concept', 'is-a', 'infection')]));
  await post(valueSet('all-but-one', [{ system: CS }], [{ system: CS, concept: [{ code: 'disorder' }] }]));
  await post(valueSet('bad-regex', [filter('code', 'regex', '(')]));
  const big = { resourceType: 'CodeSystem', url: 'http://example.org/CodeSystem/big', status: 'active', content: 'complete', concept: [{ code: 'root', concept: [] as Array<{ code: string }> }] };
  for (let i = 0; i < 2001; i++) big.concept[0]!.concept.push({ code: `c${i}` });
  await post(big);
  await post(valueSet('big', [{ system: 'http://example.org/CodeSystem/big', filter: [{ property: 'concept', op: 'is-a', value: 'root' }] }]));
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('token :below and :above', () => {
  it('follow nested concepts and parent properties of a stored code system', async () => {
    expect(await codes(`code:below=${CS}|infection`)).toEqual(['bacterial', 'infection', 'influenza', 'viral']);
    expect(await codes(`code:below=${CS}|respiratory`)).toEqual(['asthma', 'influenza', 'respiratory']);
    expect(await codes(`code:below=${CS}|disorder`)).toEqual(ALL);
    expect(await codes(`code:above=${CS}|influenza`)).toEqual(['disorder', 'infection', 'influenza', 'respiratory', 'viral']);
    expect(await codes(`code:above=${CS}|asthma,${CS}|bacterial`)).toEqual(['asthma', 'bacterial', 'disorder', 'infection', 'respiratory']);
  });

  it('use the R4 core code systems', async () => {
    const statuses = async (query: string) => (await codes(query)).map((c) => c.replace('status-', ''));
    expect(await statuses(`clinical-status:below=${CLINICAL}|inactive`)).toEqual(['remission', 'resolved']);
    expect(await statuses(`clinical-status:below=${CLINICAL}|active`)).toEqual(['active', 'recurrence']);
    expect(await statuses(`clinical-status:above=${CLINICAL}|recurrence`)).toEqual(['active', 'recurrence']);
  });

  it('match a code the system does not define only by itself', async () => {
    expect(await codes(`code:below=${CS}|unheard-of`)).toEqual([]);
  });

  it('refuse values without a system and systems not loaded here', async () => {
    expect(await refused('code:below=infection')).toMatch(/system\|code/);
    expect(await refused(`code:below=${CS}|`)).toMatch(/system\|code/);
    expect(await refused('code:below=http://snomed.info/sct|404684003')).toMatch(/not loaded/);
  });
});

describe(':in with ValueSet filters', () => {
  const cases: Array<[string, string[]]> = [
    ['is-a', ['bacterial', 'influenza', 'infection', 'viral']],
    ['descendent-of', ['bacterial', 'influenza', 'viral']],
    ['is-not-a', ['asthma', 'disorder', 'respiratory']],
    ['generalizes', ['disorder', 'influenza', 'infection', 'respiratory', 'viral']],
    ['kind-acute', ['influenza', 'infection', 'viral']],
    ['kind-in', ['asthma', 'influenza', 'infection', 'respiratory', 'viral']],
    ['kind-not-in', ['asthma', 'bacterial', 'disorder', 'respiratory']],
    ['no-kind', ['bacterial', 'disorder']],
    ['regex', ['asthma', 'bacterial']],
    ['display-regex', ['bacterial', 'viral']],
    ['parent', ['asthma', 'influenza']],
    ['two-filters', ['asthma', 'respiratory']],
    ['all-but-infections', ['asthma', 'disorder', 'respiratory']],
    ['all-but-one', ALL.filter((c) => c !== 'disorder')],
  ];
  for (const [id, expected] of cases) {
    it(`${id}`, async () => {
      expect(await codes(`code:in=http://example.org/ValueSet/${id}`)).toEqual([...expected].sort());
      const outside = ALL.filter((c) => !expected.includes(c));
      const notIn = (await codes(`code:not-in=http://example.org/ValueSet/${id}`)).filter((c) => !c.startsWith('status-'));
      expect(notIn).toEqual(outside);
    });
  }

  it('use R4 core ValueSets', async () => {
    const statuses = (await codes('clinical-status:in=http://hl7.org/fhir/ValueSet/condition-clinical')).map((c) => c.replace('status-', ''));
    expect(statuses).toEqual(['active', 'recurrence', 'remission', 'resolved']);
  });

  it('refuse broken filters and sets too large to search on', async () => {
    expect(await refused('code:in=http://example.org/ValueSet/bad-regex')).toMatch(/regular expression/);
    expect(await refused('code:in=http://example.org/ValueSet/big')).toMatch(/more than 2000 codes/);
  });
});
