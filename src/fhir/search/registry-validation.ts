/**
 * What a custom SearchParameter must satisfy before the registry uses it: a usable code, a
 * known type, an expression fhirpath.js can parse, and composite components that resolve.
 */
import fhirpath from 'fhirpath';
import type { SearchParameter } from '@medplum/fhirtypes';
import { errors } from '../outcomes';
import { applyErrata } from './fhirpath-errata';
import { withoutResolve } from './extract/fhirpath-fallback';

const TYPES = new Set(['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri', 'composite', 'special']);

/** Codes are field names in the index and appear before `:`/`.` in query syntax. */
const CODE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$|^_[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/** Result and control parameters that a SearchParameter cannot take over. */
const RESERVED = new Set([
  '_sort', '_count', '_include', '_revinclude', '_summary', '_elements', '_contained', '_containedType', '_total',
  '_format', '_pretty', '_type', '_has', '_list', '_filter', '_query', '_text', '_content', '_score',
]);

function checkParses(expression: string, where: string): void {
  try {
    fhirpath.parse(withoutResolve(applyErrata(expression)));
  } catch (err) {
    throw errors.invalid(`${where} is not a valid FHIRPath expression: ${String((err as Error).message).split('\n')[0]}`, where);
  }
}

export function validateSearchParameter(sp: SearchParameter, known: (url: string) => SearchParameter | undefined): void {
  if (sp.resourceType !== 'SearchParameter') throw errors.invalid('not a SearchParameter');
  if (!sp.url) throw errors.invalid('SearchParameter.url is required', 'SearchParameter.url');
  if (typeof sp.code !== 'string' || !CODE.test(sp.code) || RESERVED.has(sp.code)) {
    throw errors.invalid(`'${String(sp.code)}' cannot be used as a search parameter code`, 'SearchParameter.code');
  }
  if (!TYPES.has(sp.type)) throw errors.invalid(`unknown search parameter type '${String(sp.type)}'`, 'SearchParameter.type');
  if (sp.type === 'special') throw errors.invalid('special search parameters need server code', 'SearchParameter.type');
  if (!sp.expression) throw errors.invalid('SearchParameter.expression is required', 'SearchParameter.expression');
  checkParses(sp.expression, 'SearchParameter.expression');
  if (sp.type !== 'composite') return;
  if (!sp.component?.length) throw errors.invalid('a composite needs components', 'SearchParameter.component');
  for (const [i, component] of sp.component.entries()) {
    const where = `SearchParameter.component[${i}]`;
    const target = known(component.definition);
    if (!target) throw errors.invalid(`${where}.definition: unknown SearchParameter ${component.definition}`, `${where}.definition`);
    if (target.type === 'composite' || target.type === 'special') throw errors.invalid(`${where}: a component cannot be ${target.type}`, `${where}.definition`);
    if (!component.expression) throw errors.invalid(`${where}.expression is required`, `${where}.expression`);
    checkParses(component.expression, `${where}.expression`);
  }
}
