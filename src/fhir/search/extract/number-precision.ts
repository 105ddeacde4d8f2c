/**
 * The implicit range of a number from its significant figures (search.html#number): `100`
 * stands for [99.5, 100.5), `1.5` for [1.45, 1.55), `1e-7` for [0.5e-7, 1.5e-7)… JSON parsing
 * has already dropped trailing zeros after the point, so the precision is that of the
 * shortest form of the value. The query side computes the range of a search value with this
 * same function.
 */

/** Removes binary floating-point noise (0.1 + 0.2 → 0.3) introduced by range arithmetic. */
export function clean(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(15)) : x;
}

const NUMBER_FORM = /^-?\d+(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** Half a unit of the value's last significant digit. */
export function halfUnit(value: number): number {
  const m = NUMBER_FORM.exec(String(value));
  if (!m) return 0;
  const decimals = (m[1]?.length ?? 0) - Number(m[2] ?? 0);
  return Number(`5e${-decimals - 1}`);
}

const bits = new Float64Array(1);
const ints = new BigInt64Array(bits.buffer);

/** The smallest double above x (for a range narrower than doubles can express). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  bits[0] = x;
  ints[0] = x > 0 ? ints[0]! + 1n : ints[0]! - 1n;
  return bits[0];
}

/** [lo, hi): always contains the value, even at 16–17 significant digits. */
export function precisionRange(value: number): { lo: number; hi: number } {
  const half = halfUnit(value);
  const lo = clean(value - half);
  const hi = clean(value + half);
  return { lo: lo <= value ? lo : value, hi: hi > value ? hi : nextUp(value) };
}
