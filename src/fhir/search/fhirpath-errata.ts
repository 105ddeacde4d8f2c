/**
 * Corrections applied to R4 search parameter expressions before they are evaluated.
 *
 * - `as T` / `.as(T)` → `.ofType(T)`: FHIRPath (and fhirpath.js 5) make `as` fail on more than
 *   one item, so `(Observation.component.value as Quantity)` would throw on every blood
 *   pressure. The expressions mean a filter, which R5 spells `ofType`.
 * - `as(DateTime)` → `ofType(dateTime)`: `DateTime` is the FHIRPath System type; on FHIR data
 *   it matches nothing (Observation `code-value-date`).
 */

const SYSTEM_TO_FHIR: Record<string, string> = { DateTime: 'dateTime', Date: 'date', Instant: 'instant' };

function fhirType(name: string): string {
  return SYSTEM_TO_FHIR[name] ?? name;
}

export function applyErrata(expression: string): string {
  return expression
    .replace(/\.as\(\s*([A-Za-z.]+)\s*\)/g, (_, t: string) => `.ofType(${fhirType(t)})`)
    .replace(/\.ofType\(\s*([A-Za-z.]+)\s*\)/g, (_, t: string) => `.ofType(${fhirType(t)})`)
    .replace(/\(([^()|]+?)\s+as\s+([A-Za-z.]+)\s*\)/g, (_, x: string, t: string) => `(${x.trim()}.ofType(${fhirType(t)}))`)
    .replace(/^\s*([^()|\s]+)\s+as\s+([A-Za-z.]+)\s*$/, (_, x: string, t: string) => `${x}.ofType(${fhirType(t)})`);
}
