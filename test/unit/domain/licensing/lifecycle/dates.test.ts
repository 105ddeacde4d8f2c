import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysBetween, isFullDate } from '../../../../../src/domain/licensing/lifecycle/dates';

describe('license dates', () => {
  it('accepts only full, real calendar dates', () => {
    expect(isFullDate('2026-02-28')).toBe(true);
    expect(isFullDate('2028-02-29')).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '2026-01', '2026-01-01T00:00:00Z', 'tomorrow', 20260101, undefined]) expect(isFullDate(bad)).toBe(false);
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('adds months, clamping to the end of shorter months', () => {
    expect(addMonths('2026-01-15', 12)).toBe('2027-01-15');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-31', 2)).toBe('2028-02-29');
    expect(addMonths('2026-08-31', -2)).toBe('2026-06-30');
  });

  it('counts whole days between dates', () => {
    expect(daysBetween('2026-01-01', '2026-03-02')).toBe(60);
    expect(daysBetween('2026-03-02', '2026-01-01')).toBe(-60);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });
});
