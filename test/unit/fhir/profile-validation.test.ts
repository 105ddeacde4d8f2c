/** Profile validation pieces that need no server: extensible bindings, patterns, slicing by type, narrative. */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/fhir/definitions';
import { ProfileValidator } from '../../../src/fhir/validation/profile';
import { narrativeProblem } from '../../../src/fhir/validation/profile/narrative';
import { matchesPattern } from '../../../src/fhir/validation/profile/values';
import { createTerminology } from '../../../src/terminology/terminology';

const validator = new ProfileValidator(loadDefinitions());
const terminology = createTerminology({ readCurrent: () => Promise.resolve([]) });
const check = (resource: object) => validator.validate(resource as Resource, { terminology });
const MARITAL = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';

describe('profile validation', () => {
  it('warns for a code outside an extensible binding, and accepts one inside it', async () => {
    const outside = await check({ resourceType: 'Patient', maritalStatus: { coding: [{ system: MARITAL, code: 'ZZ' }] } });
    expect(outside).toEqual([expect.objectContaining({ severity: 'warning', code: 'code-invalid', expression: ['Patient.maritalStatus'] })]);
    expect(await check({ resourceType: 'Patient', maritalStatus: { coding: [{ system: MARITAL, code: 'M' }] } })).toEqual([]);
  });

  it('skips bindings whose ValueSet cannot be evaluated here (SNOMED CT filters)', async () => {
    const condition = { resourceType: 'Condition', subject: { reference: 'Patient/1' }, code: { coding: [{ system: 'http://snomed.info/sct', code: '0000' }] } };
    expect((await check(condition)).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('matches patterns partially, arrays by inclusion', () => {
    const pattern = { coding: [{ system: 's', code: 'c' }] };
    expect(matchesPattern({ coding: [{ system: 'x' }, { system: 's', code: 'c', display: 'd' }], text: 't' }, pattern)).toBe(true);
    expect(matchesPattern({ coding: [{ system: 's', code: 'other' }] }, pattern)).toBe(false);
  });

  it('reports active content and undeclared entities in narrative XHTML', () => {
    expect(narrativeProblem('<div xmlns="http://www.w3.org/1999/xhtml"><p>ok &amp; &#169;</p></div>')).toBeUndefined();
    expect(narrativeProblem('<div><script>alert(1)</script></div>')).toContain("'script'");
    expect(narrativeProblem('<div><p onclick="x()">a</p></div>')).toContain('onclick');
    expect(narrativeProblem('<div>&reg;</div>')).toContain('&reg;');
    // The quick pre-check must let every problem through: prefixed, upper-case and spaced forms.
    expect(narrativeProblem('<div><h:SCRIPT src="x"></h:SCRIPT></div>')).toContain("'script'");
    expect(narrativeProblem('<div><iframe\nsrc="x"></iframe></div>')).toContain("'iframe'");
    expect(narrativeProblem('<div><frameset></frameset></div>')).toContain("'frameset'");
    expect(narrativeProblem('<div><img src="a.png"\tONLOAD = "x()"/></div>')).toContain('ONLOAD');
    expect(narrativeProblem('<div><table><thead><tr><th>Body</th></tr></thead><tbody/></table> formal &lt;</div>')).toBeUndefined();
  });

  it('checks base64 content and attachment sizes', async () => {
    const media = (content: object) => ({ resourceType: 'Media', status: 'completed', content: { contentType: 'text/plain', ...content } });
    expect(await check(media({ data: 'aGVsbG8=', size: 5 }))).toEqual([]);
    expect((await check(media({ data: 'aGVsbG8=', size: 6 })))[0]).toMatchObject({ code: 'value', expression: ['Media.content'] });
    expect((await check(media({ data: '%%%' })))[0]).toMatchObject({ code: 'value', expression: ['Media.content.data'] });
  });

  it('checks Bundle rules: absolute fullUrls, unique link relations, ambiguous references', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      link: [{ relation: 'self', url: 'http://a' }, { relation: 'self', url: 'http://b' }],
      entry: [
        { fullUrl: 'Patient/1', resource: { resourceType: 'Patient', id: '1' } },
        { fullUrl: 'http://x.org/Observation/o', resource: { resourceType: 'Observation', id: 'o', meta: { versionId: '1' }, status: 'final', code: { text: 'a' }, subject: { reference: 'Observation/o' } } },
        { fullUrl: 'http://x.org/Observation/o', resource: { resourceType: 'Observation', id: 'o', meta: { versionId: '2' }, status: 'final', code: { text: 'a' } } },
      ],
    };
    const found = (await check(bundle)).filter((i) => i.severity === 'error').map((i) => `${i.code} ${i.expression?.[0]}`);
    expect(found).toEqual([
      'invalid Bundle.entry[0].fullUrl',
      'invalid Bundle.link[1]',
      'not-found Bundle.entry[1].resource.ofType(Observation).subject',
    ]);
  });

  it('compiles each StructureDefinition once', () => {
    expect(validator.compiledFor('Patient')).toBe(validator.compiledFor('Patient'));
    expect(validator.knows('http://hl7.org/fhir/StructureDefinition/Patient')).toBe(true);
    expect(validator.knows('http://example.org/none')).toBe(false);
  });
});
