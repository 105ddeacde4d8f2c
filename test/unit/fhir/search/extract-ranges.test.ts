import { describe, expect, it } from 'vitest';
import { precisionRange, ucumCanonical } from '../../../../src/fhir/search/extract';
import { MAX_DATE_MS, MAX_NUMBER, MIN_DATE_MS } from '../../../../src/fhir/search/extract/types';
import { entries, extract } from './helpers';

const d = (iso: string) => new Date(iso);

describe('date parameters', () => {
  it('turns each value into the range of its precision', () => {
    const at = (birthDate: string) => entries(extract({ resourceType: 'Patient', birthDate }), 'date', 'birthdate');
    expect(at('1980')).toEqual([{ lo: d('1980-01-01T00:00:00Z'), hi: d('1981-01-01T00:00:00Z') }]);
    expect(at('1980-02')).toEqual([{ lo: d('1980-02-01T00:00:00Z'), hi: d('1980-03-01T00:00:00Z') }]);
    expect(at('1980-02-29')).toEqual([{ lo: d('1980-02-29T00:00:00Z'), hi: d('1980-03-01T00:00:00Z') }]);
    expect(at('not-a-date')).toEqual([]);
  });

  it('reads dateTime with its zone and instant to the millisecond', () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveDateTime: '2021-03-04T10:20:30+02:00', issued: '2021-03-04T08:20:31.250Z' };
    const index = extract(observation);
    expect(entries(index, 'date', 'date')).toEqual([{ lo: d('2021-03-04T08:20:30Z'), hi: d('2021-03-04T08:20:31Z') }]);
  });

  it('gives a Period open ends at the limits of time', () => {
    const encounter = (period: Record<string, string>) => ({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period });
    expect(entries(extract(encounter({ start: '2020-05-01' })), 'date', 'date')).toEqual([{ lo: d('2020-05-01T00:00:00Z'), hi: new Date(MAX_DATE_MS) }]);
    expect(entries(extract(encounter({ end: '2020-05-01T10:00:00Z' })), 'date', 'date')).toEqual([{ lo: new Date(MIN_DATE_MS), hi: d('2020-05-01T10:00:01Z') }]);
    expect(entries(extract(encounter({ start: '2020-05-01', end: '2020-05-03' })), 'date', 'date')).toEqual([{ lo: d('2020-05-01T00:00:00Z'), hi: d('2020-05-04T00:00:00Z') }]);
  });

  it('covers the outer limits of a Timing', () => {
    const request = {
      resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' },
      occurrenceTiming: { event: ['2013-03-24', '2013-01-31'] },
    };
    expect(entries(extract(request), 'date', 'occurrence')).toEqual([{ lo: d('2013-01-31T00:00:00Z'), hi: d('2013-03-25T00:00:00Z') }]);
  });
});

describe('number parameters', () => {
  it('ranges a value by its significant figures', () => {
    expect(precisionRange(100)).toEqual({ lo: 99.5, hi: 100.5 });
    expect(precisionRange(1.5)).toEqual({ lo: 1.45, hi: 1.55 });
    expect(precisionRange(0.001)).toEqual({ lo: 0.0005, hi: 0.0015 });
    expect(precisionRange(1e-7)).toEqual({ lo: 5e-8, hi: 1.5e-7 });
    const long = precisionRange(82.12052766189335);
    expect(long.lo).toBeLessThanOrEqual(82.12052766189335);
    expect(long.hi).toBeGreaterThan(82.12052766189335);
  });

  it('indexes decimals and integers, and a Range as low..high without a single value', () => {
    const risk = {
      resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/1' },
      prediction: [{ probabilityDecimal: 0.25 }, { probabilityRange: { low: { value: 10 } } }],
    };
    expect(entries(extract(risk), 'num', 'probability')).toEqual([
      { v: 0.25 },
      { lo: 10, hi: MAX_NUMBER },
    ]);
    const group = { resourceType: 'Group', type: 'person', actual: true, quantity: 12 };
    expect(entries(extract(group), 'num', 'quantity')).toEqual([]); // Group has no quantity number param
    const molecular = { resourceType: 'MolecularSequence', coordinateSystem: 0, variant: [{ start: 128, end: 129 }] };
    expect(entries(extract(molecular), 'num', 'variant-start')).toEqual([{ v: 128 }]);
  });
});

describe('quantity parameters', () => {
  const observation = (valueQuantity: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity });

  it('adds the canonical UCUM form, so 5.4 mg and 0.0054 g agree', () => {
    const [mg] = entries(extract(observation({ value: 5.4, system: 'http://unitsofmeasure.org', code: 'mg', unit: 'mg' })), 'qty', 'value-quantity');
    expect(mg).toEqual({ v: 5.4, s: 'http://unitsofmeasure.org', c: 'mg', u: 'mg', cv: 0.0054, cc: 'g' });
    const [g] = entries(extract(observation({ value: 0.0054, system: 'http://unitsofmeasure.org', code: 'g' })), 'qty', 'value-quantity');
    expect(g).toMatchObject({ cv: 0.0054, cc: 'g' });
  });

  it('converts affine units and leaves unknown ones without a canonical form', () => {
    expect(ucumCanonical('Cel')?.convert(37)).toBe(310.15);
    expect(ucumCanonical('mm[Hg]')?.code).toBe('g.m-1.s-2');
    expect(ucumCanonical('%')?.code).toBe('1');
    expect(ucumCanonical('not-a-unit')).toBeUndefined();
    const [custom] = entries(extract(observation({ value: 3, system: 'http://example.org/units', code: 'tabs' })), 'qty', 'value-quantity');
    expect(custom).toEqual({ v: 3, s: 'http://example.org/units', c: 'tabs' });
  });

  it('reads Money by currency, Range by its ends and SampledData by its origin', () => {
    const chargeItem = { resourceType: 'ChargeItem', status: 'billable', code: { text: 'x' }, subject: { reference: 'Patient/1' }, priceOverride: { value: 40, currency: 'ZAR' } };
    expect(entries(extract(chargeItem), 'qty', 'price-override')).toEqual([{ v: 40, s: 'urn:iso:std:iso:4217', c: 'ZAR' }]);
    const condition = { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetRange: { low: { value: 2, system: 'http://unitsofmeasure.org', code: 'a' }, high: { value: 5, system: 'http://unitsofmeasure.org', code: 'a' } } };
    const [range] = entries(extract(condition), 'qty', 'onset-age');
    expect(range).toMatchObject({ lo: 2, hi: 5, c: 'a', cc: 's', clo: 63115200, chi: 157788000 });
    // A Range is compared as a range, never as the value of one of its ends.
    expect(range).not.toHaveProperty('v');
    expect(range).not.toHaveProperty('cv');
    const sampled = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueSampledData: { origin: { value: 2, code: 'mV', system: 'http://unitsofmeasure.org' }, period: 10, dimensions: 1 } };
    expect(entries(extract(sampled), 'qty', 'value-quantity')).toMatchObject([{ v: 2, c: 'mV', cc: 'C-1.g.m2.s-2' }]);
  });
});
