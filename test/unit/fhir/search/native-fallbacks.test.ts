/** The native versions of fallback search expressions give fhirpath.js's results on the same resources. */
import { describe, expect, it } from 'vitest';
import { compileFallback } from '../../../../src/fhir/search/extract/fhirpath-fallback';
import { nativeFallback } from '../../../../src/fhir/search/extract/native-fallbacks';
import { loadDefinitions } from '../../../../src/fhir/definitions';
import { SearchRegistry } from '../../../../src/fhir/search/registry';

const DECEASED = 'Patient.deceased.exists() and Patient.deceased != false';

const patients = [
  {},
  { deceasedBoolean: true },
  { deceasedBoolean: false },
  { deceasedDateTime: '2020-01-01' },
  { deceasedDateTime: '2020', _deceasedDateTime: { id: 'a' } },
  { _deceasedBoolean: { extension: [{ url: 'http://example.org/why', valueString: 'unknown' }] } },
  { deceasedBoolean: false, _deceasedBoolean: { id: 'b' } },
  { _deceasedDateTime: { extension: [{ url: 'http://example.org/why', valueString: 'unknown' }] } },
];

function run(evaluate: ReturnType<typeof compileFallback>, resource: object) {
  const sink = { values: [] as unknown[], types: [] as string[] };
  evaluate(resource, resource, sink);
  return sink;
}

describe('native fallback expressions', () => {
  it('Patient deceased agrees with fhirpath.js', () => {
    const native = compileFallback(DECEASED, 'Patient', 'Patient');
    const reference = compileFallback(DECEASED, 'Patient', 'Patient', { natives: false });
    expect(native).toBe(nativeFallback(DECEASED, 'Patient'));
    for (const patient of patients) {
      const resource = { resourceType: 'Patient', ...patient };
      expect(run(native, resource), JSON.stringify(patient)).toEqual(run(reference, resource));
    }
  });

  it('is bound to the expression R4 really has, and to nothing else', () => {
    expect(new SearchRegistry(loadDefinitions()).get('Patient', 'deceased')?.expression).toBe(DECEASED);
    expect(nativeFallback(DECEASED, 'Patient')).toBeDefined();
    expect(nativeFallback(`${DECEASED} `, 'Patient')).toBeUndefined();
    expect(nativeFallback(DECEASED, 'Person')).toBeUndefined();
  });
});
