/**
 * In-place patches of the stock R4 JSON schema's `definitions` (see schema-load.ts for the list
 * and the reasons). Each function walks the definitions once.
 */
export type Definitions = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const XSD_SPACE = '[ \\t\\n\\r]';
const XSD_NON_SPACE = '[^ \\t\\n\\r]';

/**
 * The schema's regexes come from the spec, where they are XML Schema regexes: there `\s` is only
 * space, tab, CR and LF, so `\S` matches U+00A0 and every other character. In JavaScript `\s` also
 * covers U+00A0, U+2028, U+FEFF …, which would reject legal strings such as "DABVP\u00a0(Canine)".
 * Stock pattern → the same language in JavaScript regex syntax.
 */
export const JS_PATTERNS: ReadonlyMap<string, string> = new Map([
  // string, markdown: `[ \r\n\t\S]` is any character in XSD, so only "not empty" remains.
  ['^[ \\r\\n\\t\\S]+$', '^[\\s\\S]+$'],
  // uri, url, canonical
  ['^\\S*$', `^${XSD_NON_SPACE}*$`],
  // code
  ['^[^\\s]+(\\s[^\\s]+)*$', `^${XSD_NON_SPACE}+(${XSD_SPACE}${XSD_NON_SPACE}+)*$`],
]);

/**
 * The stock base64Binary pattern (inline choice elements such as Extension.valueBase64Binary).
 * As a regex it backtracks exponentially (`"AAAA  ".repeat(18) + "!"` took ~8 s), and even a
 * linear rewrite overflows the regex stack on values of a few MB: it is checked by BASE64_KEYWORD.
 */
const STOCK_BASE64_PATTERN = '^(\\s*([0-9a-zA-Z\\+/=]){4}\\s*)+$';

/** Keyword checking a base64Binary: the stock pattern's language, checked in one pass. */
export const BASE64_KEYWORD = 'fhirBase64';

/** Blocks of 4 characters from [0-9a-zA-Z+/=], with XSD whitespace anywhere between them; not empty. */
export function isBase64(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2b || c === 0x2f || c === 0x3d;
    if (!ok) return false;
    count++;
  }
  return count > 0 && count % 4 === 0;
}

/** Inline copies of the integer patterns → JSON-integer ranges. */
const INTEGER_RANGES: ReadonlyMap<string, [number, number]> = new Map([
  ['^-?([0]|([1-9][0-9]*))$', [INT32_MIN, INT32_MAX]],
  ['^[1-9][0-9]*$', [1, INT32_MAX]],
  ['^[0]|([1-9][0-9]*)$', [0, INT32_MAX]],
]);

/** Every schema node that can carry a primitive constraint: definitions and their properties. */
function* nodes(definitions: Definitions): Generator<Record<string, unknown>> {
  for (const def of Object.values(definitions)) {
    if (!isRecord(def)) continue;
    yield def;
    if (!isRecord(def.properties)) continue;
    for (const prop of Object.values(def.properties)) {
      if (!isRecord(prop)) continue;
      yield prop;
      if (isRecord(prop.items)) yield prop.items;
    }
  }
}

/** Keyword checking that a date/dateTime/instant names a real calendar day (the regexes allow 2021-02-30). */
export const CALENDAR_KEYWORD = 'fhirCalendarDay';

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})/;

export function isRealCalendarDay(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  const m = DAY_PATTERN.exec(value);
  if (!m) return true;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Out-of-range months and days are the pattern's to report; this only catches 02-30, 04-31 …
  if (month < 1 || month > 12 || day < 1 || day > 31) return true;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Integer types, XSD regexes, FHIRVersion 4.0.1, xhtml as a string, real calendar days. */
export function patchPrimitives(definitions: Definitions): void {
  const DATE_PATTERNS = new Set(
    ['date', 'dateTime', 'instant'].map((name) => (definitions[name] as { pattern?: string } | undefined)?.pattern),
  );
  for (const node of nodes(definitions)) {
    if (node.pattern === STOCK_BASE64_PATTERN) {
      delete node.pattern;
      node[BASE64_KEYWORD] = true;
    } else if (typeof node.pattern === 'string') {
      const range = node.type === 'number' ? INTEGER_RANGES.get(node.pattern) : undefined;
      if (range) {
        // Regexes do not apply to JSON numbers, so stock `integer` accepted 1.5 and -3 as positiveInt.
        delete node.pattern;
        Object.assign(node, { type: 'integer', minimum: range[0], maximum: range[1] });
      } else {
        node.pattern = JS_PATTERNS.get(node.pattern) ?? node.pattern;
        if (DATE_PATTERNS.has(node.pattern as string)) node[CALENDAR_KEYWORD] = true;
      }
    }
    const values = node.enum;
    if (Array.isArray(values) && values.includes('4.0.0') && !values.includes('4.0.1')) values.push('4.0.1');
  }
  const xhtml = definitions.xhtml;
  if (isRecord(xhtml)) xhtml.type = 'string';
  // The stock definition has no pattern at all: Binary.data and Attachment.data took anything.
  const base64 = definitions.base64Binary;
  if (isRecord(base64)) base64[BASE64_KEYWORD] = true;
}

/** Complex types and resources must be JSON objects (stock: `"name": ["x"]` passed). */
export function requireObjects(definitions: Definitions): void {
  for (const def of Object.values(definitions)) {
    if (isRecord(def) && isRecord(def.properties)) def.type = 'object';
  }
}

const ELEMENT_OR_NULL = 'ElementOrNull';
const CANONICAL_REF = '#/definitions/canonical';

/**
 * Primitive-extension siblings:
 *  - `canonical` elements get their missing `_x` sibling (the stock schema forgot them, so
 *    `"_baseDefinition": {"extension": […]}` in the spec's own StructureDefinitions was rejected);
 *  - items of `_x` arrays, and of the repeating primitive `x` they extend, may be `null`, as the
 *    JSON format allows (`"given": ["a", null], "_given": [null, {…}]`).
 */
export function patchPrimitiveSiblings(definitions: Definitions): void {
  const element = definitions.Element;
  if (!isRecord(element)) throw new Error('FHIR schema has no Element definition');
  definitions[ELEMENT_OR_NULL] = { ...element, type: ['object', 'null'] };
  for (const def of Object.values(definitions)) {
    if (!isRecord(def) || !isRecord(def.properties)) continue;
    const properties = def.properties;
    for (const [name, prop] of Object.entries(properties)) {
      if (!isRecord(prop) || name.startsWith('_') || Object.hasOwn(properties, `_${name}`)) continue;
      if (prop.$ref === CANONICAL_REF) {
        properties[`_${name}`] = { $ref: '#/definitions/Element' };
      } else if (prop.type === 'array' && isRecord(prop.items) && prop.items.$ref === CANONICAL_REF) {
        properties[`_${name}`] = { type: 'array', items: { $ref: '#/definitions/Element' } };
      }
    }
    for (const [name, prop] of Object.entries(properties)) {
      if (!name.startsWith('_') || !isRecord(prop) || prop.type !== 'array') continue;
      prop.items = { $ref: `#/definitions/${ELEMENT_OR_NULL}` };
      const base = properties[name.slice(1)];
      if (isRecord(base) && isRecord(base.items)) base.items = nullable(base.items, definitions);
    }
  }
}

/** `{ $ref: '#/definitions/string' }` → a copy of that primitive definition that also accepts null. */
function nullable(items: Record<string, unknown>, definitions: Definitions): Record<string, unknown> {
  if (typeof items.$ref === 'string') {
    const target = definitions[items.$ref.slice('#/definitions/'.length)];
    if (!isRecord(target) || typeof target.type !== 'string') return items;
    const { description: _description, ...rest } = target;
    return { ...rest, type: [target.type, 'null'] };
  }
  if (Array.isArray(items.enum)) return { ...items, enum: [...(items.enum as unknown[]), null] };
  return items;
}

/**
 * R4 open types (datatypes.html#open) include Meta, but the stock schema's open-type choices
 * (Extension.value[x], Parameters.parameter.value[x], ElementDefinition.fixed[x] …) stop at Dosage.
 * Every choice that offers `<prefix>Dosage` is an open type: add `<prefix>Meta`.
 */
export function addMetaToOpenTypes(definitions: Definitions): void {
  for (const def of Object.values(definitions)) {
    if (!isRecord(def) || !isRecord(def.properties)) continue;
    const properties = def.properties;
    for (const key of Object.keys(properties)) {
      if (!key.endsWith('Dosage') || key.startsWith('_')) continue;
      const metaKey = `${key.slice(0, -'Dosage'.length)}Meta`;
      if (!(metaKey in properties)) properties[metaKey] = { $ref: '#/definitions/Meta' };
    }
  }
}
