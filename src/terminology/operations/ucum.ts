/**
 * UCUM (http://unitsofmeasure.org) is a grammar, not a list: no CodeSystem resource can hold it,
 * so its codes are checked with @lhncbc/ucum-lhc (loaded on first use; it takes ~40 ms).
 */
import { ucum } from '../../fhir/search/extract/ucum';
import type { UcumValidation } from '../../fhir/search/extract/ucum';

export { UCUM_SYSTEM } from '../../fhir/search/extract/ucum';

/** Unit codes come from clients: long ones are refused before the parser sees them. */
const MAX_UNIT_LENGTH = 200;

export type UcumResult = { valid: true; name: string } | { valid: false; message: string };

/** Whether `code` is a valid UCUM unit expression, with a display for it when it is. */
export function checkUcum(code: string): UcumResult {
  const invalid = (why: string): UcumResult => ({ valid: false, message: `'${code.slice(0, 60)}' is not a valid UCUM unit: ${why}` });
  if (code.length > MAX_UNIT_LENGTH) return invalid('too long');
  let result: UcumValidation;
  try {
    result = ucum().validateUnitString(code, false);
  } catch {
    return invalid('the expression cannot be parsed');
  }
  // The library trims its input; a code with surrounding spaces is still not a UCUM code.
  if (result.status !== 'valid' || result.ucumCode !== code) return invalid(result.msg.join(' ') || 'unknown unit');
  // Its names are sometimes markup (`kilogram*[meter<sup>-2</sup>]`) or numbers: then the code is the display.
  const name = result.unit?.name;
  return { valid: true, name: typeof name === 'string' && name !== '' && !/[<>]/.test(name) ? name : code };
}
