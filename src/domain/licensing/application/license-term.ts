/** The period of a new license: from `start` for `months`, ending the day before the same date `months` later. */
export function licenseEnd(start: string, months: number): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const targetMonth = m - 1 + months;
  // Clamp to the target month's length (31 January + 1 month → end of February), then the day before.
  const lastDay = new Date(Date.UTC(y, targetMonth + 1, 0)).getUTCDate();
  const end = new Date(Date.UTC(y, targetMonth, Math.min(d, lastDay)) - 86_400_000);
  return end.toISOString().slice(0, 10);
}
