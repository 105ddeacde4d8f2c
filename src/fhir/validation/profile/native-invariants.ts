/**
 * The hottest invariants in plain JavaScript. fhirpath.js builds typed nodes for every step and
 * spends ~10 µs on a one-line constraint; ref-1 alone ran on every Reference and cost a third of
 * validating a Synthea resource. Each function here is bound to the exact expression text it
 * replaces (a changed or unknown expression runs through fhirpath.js), answers with the verdict
 * of InvariantRunner.holds (true: the constraint holds), and returns undefined for what it does
 * not decide (dates of mixed precision, primitives carrying only an extension…), which then goes
 * to fhirpath.js. test/unit/fhir/validation/native-invariants.test.ts checks each against
 * fhirpath.js on the same inputs.
 */

/** Decides a constraint on `node` (the element's JSON value) within `resource`; undefined: ask fhirpath.js. */
export type NativeInvariant = (node: unknown, resource: unknown) => boolean | undefined;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
/** FHIRPath `exists()` of a property: a value, or a primitive's `_x` sibling. */
const has = (obj: Json, key: string): boolean => list(obj[key]).length > 0 || list(obj[`_${key}`]).length > 0;
/** A primitive that is present only as its `_x` extension part: fhirpath.js treats it as a node without a value. */
const extensionOnly = (obj: Json, key: string): boolean => obj[key] === undefined && obj[`_${key}`] !== undefined;

/** `value[x]` of an Extension (any `valueX`, or its `_valueX`). */
const CHOICE_VALUE = /^_?value[A-Z]/;

/** Components of an R4 date (`2020`, `2020-01`, `2020-01-31`). */
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
/** An R4 dateTime to the second with a zone (`2020-01-31T10:00:00Z`, `…+02:00`, fractions allowed). */
const FULL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * FHIRPath `start <= end` for two R4 dates or two zoned dateTimes to the second (the forms
 * nearly every Period has); undefined for the rest. Dates are compared component by component;
 * equal up to the shorter precision with different precisions is indeterminate (empty), which
 * per-1 reports as a failure (invariants.ts, EMPTY_FAILS).
 */
function periodOrdered(start: string, end: string): boolean | undefined {
  if (DATE.test(start) && DATE.test(end)) {
    const a = start.split('-');
    const b = end.split('-');
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return Number(a[i]) < Number(b[i]);
    }
    return a.length === b.length;
  }
  const startParts = FULL_DATE_TIME.exec(start);
  const endParts = FULL_DATE_TIME.exec(end);
  if (!startParts || !endParts) return undefined;
  // A fraction on one side only: leave the precision rules to fhirpath.js.
  if ((startParts[1] === undefined) !== (endParts[1] === undefined)) return undefined;
  const a = Date.parse(start);
  const b = Date.parse(end);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return a <= b;
}

/** FHIRPath equality of two Codings as JSON (no primitive extensions: those go to fhirpath.js). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => key in b && sameJson(a[key], b[key]));
}

const hasUnderscoreKey = (obj: Json) => Object.keys(obj).some((key) => key.startsWith('_'));

const MR_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const E164 = /^[+][1-9][0-9]{6,14}$/s;
const US_STATE = /^[A-Z]{2}$/s;
const US_ZIP = /^[0-9]{5}(-[0-9]{4})?$/s;

/** By expression text, exactly as the StructureDefinition states it. */
export const NATIVE_INVARIANTS: ReadonlyMap<string, NativeInvariant> = new Map<string, NativeInvariant>([
  // ref-1 (Reference): a local reference must point at a contained resource.
  [
    "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
    (node, resource) => {
      if (!isObject(node)) return undefined;
      const reference = node.reference;
      if (typeof reference !== 'string') return extensionOnly(node, 'reference') ? undefined : true;
      if (!reference.startsWith('#')) return true;
      if (!isObject(resource)) return undefined;
      const contained = list(resource.contained);
      if (contained.some((inner) => isObject(inner) && extensionOnly(inner, 'id'))) return undefined;
      return contained.some((inner) => isObject(inner) && inner.id === reference.substring(1));
    },
  ],
  // per-1 (Period): start ≤ end when both have a value.
  [
    'start.hasValue().not() or end.hasValue().not() or (start <= end)',
    (node) => {
      if (!isObject(node)) return undefined;
      const { start, end } = node;
      if (typeof start !== 'string' || typeof end !== 'string') return true;
      return periodOrdered(start, end);
    },
  ],
  // dom-2, dom-4, dom-5 (every DomainResource): rules for contained resources.
  ['contained.contained.empty()', (node) => (isObject(node) ? !list(node.contained).some((inner) => isObject(inner) && has(inner, 'contained')) : undefined)],
  [
    'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()',
    (node) => (isObject(node) ? !list(node.contained).some((inner) => isObject(inner) && isObject(inner.meta) && (has(inner.meta, 'versionId') || has(inner.meta, 'lastUpdated'))) : undefined),
  ],
  ['contained.meta.security.empty()', (node) => (isObject(node) ? !list(node.contained).some((inner) => isObject(inner) && isObject(inner.meta) && has(inner.meta, 'security')) : undefined)],
  // ext-1 (Element.extension): an extension has extensions or a value, not both.
  [
    'extension.exists() != value.exists()',
    (node) => {
      if (!isObject(node)) return undefined;
      const values = Object.keys(node).filter((key) => CHOICE_VALUE.test(key));
      return has(node, 'extension') !== values.length > 0;
    },
  ],
  // cpt-2 (ContactPoint), qty-3 (Quantity profiles): a value or code needs its system.
  ['value.empty() or system.exists()', (node) => (isObject(node) ? !has(node, 'value') || has(node, 'system') : undefined)],
  ['code.empty() or system.exists()', (node) => (isObject(node) ? !has(node, 'code') || has(node, 'system') : undefined)],
  // pat-1 (Patient.contact): a contact has some detail.
  [
    'name.exists() or telecom.exists() or address.exists() or organization.exists()',
    (node) => (isObject(node) ? has(node, 'name') || has(node, 'telecom') || has(node, 'address') || has(node, 'organization') : undefined),
  ],
  // obs-6 (Observation): dataAbsentReason only without a value.
  [
    'dataAbsentReason.empty() or value.empty()',
    (node) => (isObject(node) ? !has(node, 'dataAbsentReason') || !Object.keys(node).some((key) => CHOICE_VALUE.test(key)) : undefined),
  ],
  // obs-7 (Observation): with a value, no component may repeat the Observation's code.
  [
    'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()',
    (node, resource) => {
      if (!isObject(node) || !isObject(resource)) return undefined;
      if (!Object.keys(node).some((key) => CHOICE_VALUE.test(key))) return true;
      const codes = list(isObject(resource.code) ? resource.code.coding : undefined);
      const components = list(node.component).map((component) => (isObject(component) && isObject(component.code) ? list(component.code.coding) : []));
      const codings = [...codes, ...components.flat()];
      if (codings.some((coding) => !isObject(coding) || hasUnderscoreKey(coding))) return undefined;
      return !components.some((coding) => coding.some((c) => codes.some((code) => sameJson(c, code))));
    },
  ],
  // bao-pat-1 (our Patient profile): a medical record number.
  [
    "identifier.where(type.coding.where(system = 'http://terminology.hl7.org/CodeSystem/v2-0203' and code = 'MR').exists()).exists()",
    (node) => {
      if (!isObject(node)) return undefined;
      return list(node.identifier).some(
        (identifier) => isObject(identifier) && isObject(identifier.type) && list(identifier.type.coding).some((coding) => isObject(coding) && coding.system === MR_SYSTEM && coding.code === 'MR'),
      );
    },
  ],
  // bao-pat-2, bao-pat-3: birth date not in the future, age not over 150 (today() is the process's local date, as in fhirpath.js).
  [
    'birthDate.empty() or birthDate.toString() <= today().toString()',
    (node) => birthDateCheck(node, (birthDate) => birthDate <= localToday()),
  ],
  [
    'birthDate.empty() or birthDate.toString().substring(0, 4).toInteger() >= today().toString().substring(0, 4).toInteger() - 150',
    (node) => birthDateCheck(node, (birthDate) => Number(birthDate.slice(0, 4)) >= new Date().getFullYear() - 150),
  ],
  // bao-pat-4, bao-pat-5, bao-pat-6: email lower-case, phone in E.164, US state and ZIP.
  [
    "telecom.where(system = 'email' and value.exists()).all(value = value.lower())",
    (node) => telecomAll(node, 'email', (value) => value === value.toLowerCase()),
  ],
  [
    "telecom.where(system = 'phone' and value.exists()).all(value.matches('^[+][1-9][0-9]{6,14}$'))",
    (node) => telecomAll(node, 'phone', (value) => E164.test(value)),
  ],
  [
    "address.where(country = 'US').all(state.matches('^[A-Z]{2}$') and postalCode.matches('^[0-9]{5}(-[0-9]{4})?$'))",
    (node) => {
      if (!isObject(node)) return undefined;
      let verdict: boolean | undefined = true;
      for (const address of list(node.address)) {
        if (!isObject(address) || extensionOnly(address, 'country')) return undefined;
        if (address.country !== 'US') continue;
        if (extensionOnly(address, 'state') || extensionOnly(address, 'postalCode')) return undefined;
        const { state, postalCode } = address;
        if (typeof state !== 'string' || typeof postalCode !== 'string' || !US_STATE.test(state) || !US_ZIP.test(postalCode)) verdict = false;
      }
      return verdict;
    },
  ],
]);

/** `telecom.where(system = <system> and value.exists()).all(<check>(value))`. */
function telecomAll(node: unknown, system: string, check: (value: string) => boolean): boolean | undefined {
  if (!isObject(node)) return undefined;
  for (const telecom of list(node.telecom)) {
    if (!isObject(telecom) || extensionOnly(telecom, 'system')) return undefined;
    if (telecom.system !== system || !has(telecom, 'value')) continue;
    if (typeof telecom.value !== 'string') return undefined;
    if (!check(telecom.value)) return false;
  }
  return true;
}

function birthDateCheck(node: unknown, check: (birthDate: string) => boolean): boolean | undefined {
  if (!isObject(node) || extensionOnly(node, 'birthDate')) return undefined;
  const { birthDate } = node;
  if (birthDate === undefined) return true;
  return typeof birthDate === 'string' && DATE.test(birthDate) ? check(birthDate) : undefined;
}

/** `today()` of fhirpath.js: the local date, `YYYY-MM-DD`. */
function localToday(): string {
  const now = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}
