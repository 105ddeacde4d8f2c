/**
 * FHIR date, dateTime and instant values as half-open instant ranges with the
 * precision of the value: `2020` → [2020-01-01, 2021-01-01). Times without a zone
 * are read as UTC.
 */
const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export interface DateRange {
  start: Date;
  end: Date;
}

export function parseDateRange(value: string): DateRange | undefined {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? undefined : Number(mo);
  const day = d === undefined ? undefined : Number(d);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month!, 0)).getUTCDate())) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  const offsetMinutes = zone && zone !== 'Z' ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) : 0;
  const utc = (yy: number, mm: number, dd: number, hh = 0, mn = 0, ss = 0, ms = 0) =>
    new Date(Date.UTC(yy, mm, dd, hh, mn, ss, ms) - offsetMinutes * 60_000);

  if (month === undefined) return { start: utc(year, 0, 1), end: utc(year + 1, 0, 1) };
  if (day === undefined) return { start: utc(year, month - 1, 1), end: utc(year, month, 1) };
  if (h === undefined) return { start: utc(year, month - 1, day), end: utc(year, month - 1, day + 1) };
  const hours = Number(h);
  const minutes = Number(mi);
  if (s === undefined) {
    const start = utc(year, month - 1, day, hours, minutes);
    return { start, end: new Date(start.getTime() + 60_000) };
  }
  const seconds = Number(s);
  if (frac === undefined) {
    const start = utc(year, month - 1, day, hours, minutes, seconds);
    return { start, end: new Date(start.getTime() + 1000) };
  }
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  const start = utc(year, month - 1, day, hours, minutes, seconds, ms);
  return { start, end: new Date(start.getTime() + 1) };
}
