/**
 * One search value against the values a parameter selects in one resource, by parameter
 * type; composites; `:missing`; and the values `_sort` orders by.
 */
import { dateIntervals, dateMatches, numberIntervals, numberMatches, quantities, quantityMatches, quantitySortValues } from './ranges';
import { referenceMatches, referenceTargets } from './reference';
import { fold, stringMatches, stringParts, tokenCodes, tokenMatches, uriMatches } from './text';
import type { TypedValue } from './values';
import { evaluate } from './values';

/** What the oracle may take from the registry about a parameter. */
export interface ParamDefinition {
  code: string;
  type: string;
  /** The errata-corrected expression (registry `fhirpath`). */
  fhirpath?: string;
  targets: readonly string[];
  components?: ReadonlyArray<{ type: string; expression: string }>;
}

/** Splits at `$` not escaped with a backslash. */
function splitDollars(value: string): string[] {
  return value.split(/(?<!\\)\$/);
}

function compositeMatches(param: ParamDefinition, nodes: TypedValue[], search: string, baseUrl: string): boolean {
  const components = param.components ?? [];
  const parts = splitDollars(search);
  if (parts.length !== components.length) throw new Error(`oracle: ${param.code} takes ${components.length} parts`);
  return nodes.some((node) =>
    components.every((component, i) => matchValue(component.type, evaluate(node.node, component.expression, node.resource), parts[i]!, undefined, baseUrl)),
  );
}

/** `\,` `\|` `\$` `\\` in a search value stand for the character itself. */
const unescapeValue = (value: string) => value.replace(/\\([\\|$,])/g, '$1');

/** One (comma-free) search value, with its modifier, against a parameter's values. */
export function matchValue(type: string, values: TypedValue[], search: string, modifier: string | undefined, baseUrl: string): boolean {
  switch (type) {
    case 'string':
      return stringMatches(values, unescapeValue(search), modifier);
    case 'token':
      return tokenMatches(values, search, modifier);
    case 'reference':
      return referenceMatches(values, unescapeValue(search), modifier, baseUrl);
    case 'uri':
      return uriMatches(values, unescapeValue(search), modifier);
    case 'date':
      return dateMatches(values, search);
    case 'number':
      return numberMatches(values, search);
    case 'quantity':
      return quantityMatches(values, search);
    default:
      throw new Error(`oracle: ${type} parameters are not modelled`);
  }
}

/** `param[:modifier]=v1,v2,…` on one resource's values (for composites: the composite's nodes). */
export function matchParameter(param: ParamDefinition, values: TypedValue[], raw: string, modifier: string | undefined, baseUrl: string): boolean {
  if (modifier === 'missing') return (raw === 'true') === !hasValue(param, values, baseUrl);
  const alternatives = raw.split(/(?<!\\),/);
  if (param.type === 'composite') return alternatives.some((v) => compositeMatches(param, values, v, baseUrl));
  if (modifier === 'not') return !alternatives.some((v) => matchValue(param.type, values, v, undefined, baseUrl));
  return alternatives.some((v) => matchValue(param.type, values, v, modifier, baseUrl));
}

export type SortValue = string | number;

/**
 * The values of a parameter as `_sort` and `:missing` see them (none: the parameter is
 * missing). Dates and ranges give both ends, so the smallest is the earliest start and the
 * largest the latest end.
 */
export function sortValues(param: ParamDefinition, values: TypedValue[], baseUrl: string): SortValue[] {
  switch (param.type) {
    case 'string':
      return values.flatMap(stringParts).map(fold).filter((s) => s !== '');
    case 'token':
      return values.flatMap(tokenCodes).flatMap((c) => (c.code !== undefined ? [c.code] : []));
    case 'reference':
      return values.flatMap((v) => referenceTargets(v, baseUrl)).map((t) => t.key);
    case 'uri':
      return values.map((v) => v.data).filter((v): v is string => typeof v === 'string' && v !== '');
    case 'date':
      return values.flatMap(dateIntervals).flatMap((i) => [i.lo, i.hi]);
    case 'number':
      return values.flatMap(numberIntervals).flatMap((i) => [i.lo, i.hi]);
    case 'quantity':
      return values.flatMap(quantities).flatMap(quantitySortValues);
    default:
      return values.length > 0 ? [0] : [];
  }
}

/** Whether a resource has a value for the parameter (`:missing`): a text-only token counts. */
export function hasValue(param: ParamDefinition, values: TypedValue[], baseUrl: string): boolean {
  if (param.type === 'token') return values.flatMap(tokenCodes).some((c) => c.code !== undefined || c.system !== undefined || c.text !== undefined);
  return sortValues(param, values, baseUrl).length > 0;
}
