/**
 * Search criteria → a MongoDB filter over the search index stored on each current document
 * (`str`, `tok`, `ref`, `date`, `num`, `qty`, `uri`, `comp` arrays of entries tagged with the
 * parameter code `p`). Pure. Every test on an entry is one `$elemMatch`, so the parts of a value
 * must hold on the same entry (a system and a code of the same coding); values of one criterion
 * are ORed with `$or`, criteria ANDed with `$and`. Only `$elemMatch`, comparison operators,
 * `$in`, `$or`, `$nor`, `$not` and anchored or escaped regexes are used: what real MongoDB,
 * mongo-java-server and jongodb all answer the same way.
 */
import type { Document } from 'mongodb';
import type { ComponentTest, Criterion, DateValue, NumberValue, QuantityValue, ReferenceValue, TokenValue } from '../search-criteria';

/** Escapes a user value for use inside a regular expression. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

const anyOf = (filters: Document[]): Document => (filters.length === 1 ? filters[0]! : { $or: filters });
const elem = (index: string, match: Document): Document => ({ [index]: { $elemMatch: match } });

function tokenMatch(value: TokenValue): Document {
  const match: Document = {};
  if (value.s === null) match.s = { $exists: false };
  else if (value.s !== undefined) match.s = value.s;
  if (value.c !== undefined) match.c = value.c;
  return match;
}

function referenceMatch(value: ReferenceValue): Document {
  const match: Document = {};
  if (value.r !== undefined) match.r = value.r;
  if (value.ty !== undefined) match.ty = value.ty;
  if (value.v !== undefined) match.v = value.v;
  return match;
}

/**
 * Date prefixes on ranges (search.html#prefix): the stored range [lo, hi) against the search
 * value's range [pl, ph). Returns alternatives, each a condition on one entry.
 */
function dateConditions(value: DateValue): Document[] {
  const { lo: pl, hi: ph } = value;
  const within = { lo: { $gte: pl }, hi: { $lte: ph } };
  switch (value.op) {
    case 'eq':
      return [within];
    case 'ne':
      return [{ lo: { $lt: pl } }, { hi: { $gt: ph } }];
    case 'gt':
      return [{ hi: { $gt: ph } }];
    case 'lt':
      return [{ lo: { $lt: pl } }];
    case 'ge':
      return [{ hi: { $gt: ph } }, within];
    case 'le':
      return [{ lo: { $lt: pl } }, within];
    case 'sa':
      return [{ lo: { $gte: ph } }];
    case 'eb':
      return [{ hi: { $lte: pl } }];
    case 'ap': {
      // Approximately: overlaps the value widened by 10% of its distance from now.
      const slack = Math.abs(Date.now() - pl.getTime()) * 0.1;
      return [{ lo: { $lt: new Date(ph.getTime() + slack) }, hi: { $gt: new Date(pl.getTime() - slack) } }];
    }
  }
}

/** Number prefixes on an exact stored value: `eq`/`ne` use the precision range of the search value, the others its value. */
function pointConditions(value: NumberValue, field: string): Document[] {
  const { v, lo, hi } = value;
  switch (value.op) {
    case 'eq':
      return [{ [field]: { $gte: lo, $lt: hi } }];
    case 'ne':
      return [{ [field]: { $lt: lo } }, { [field]: { $gte: hi } }];
    case 'gt':
    case 'sa':
      return [{ [field]: { $gt: v } }];
    case 'lt':
    case 'eb':
      return [{ [field]: { $lt: v } }];
    case 'ge':
      return [{ [field]: { $gte: v } }];
    case 'le':
      return [{ [field]: { $lte: v } }];
    case 'ap': {
      const slack = Math.abs(v) * 0.1;
      return [{ [field]: { $gte: v - slack, $lte: v + slack } }];
    }
  }
}

/**
 * The same prefixes on a stored Range [lo, hi] (an entry without a value `field`,
 * search.html#prefix): eq = the search value's precision range contains it, gt = part of it
 * lies above the search value, sa = all of it does, and so on.
 */
function rangeConditions(value: NumberValue, field: string, loField: string, hiField: string): Document[] {
  const { v, lo, hi } = value;
  const range = (condition: Document): Document => ({ [field]: { $exists: false }, ...condition });
  switch (value.op) {
    case 'eq':
      return [range({ [loField]: { $gte: lo }, [hiField]: { $lt: hi } })];
    case 'ne':
      return [range({ [loField]: { $lt: lo } }), range({ [hiField]: { $gte: hi } })];
    case 'gt':
      return [range({ [hiField]: { $gt: v } })];
    case 'sa':
      return [range({ [loField]: { $gt: v } })];
    case 'lt':
      return [range({ [loField]: { $lt: v } })];
    case 'eb':
      return [range({ [hiField]: { $lt: v } })];
    case 'ge':
      return [range({ [hiField]: { $gte: v } })];
    case 'le':
      return [range({ [loField]: { $lte: v } })];
    case 'ap': {
      const slack = Math.abs(v) * 0.1;
      return [range({ [loField]: { $lte: v + slack }, [hiField]: { $gte: v - slack } })];
    }
  }
}

/** A number test on an entry: its value `field` (`v` or canonical `cv`), or, for a Range, its ends. */
function numberConditions(value: NumberValue, field: 'v' | 'cv'): Document[] {
  const [loField, hiField] = field === 'cv' ? ['clo', 'chi'] : ['lo', 'hi'];
  return [...pointConditions(value, field), ...rangeConditions(value, field, loField!, hiField!)];
}

/** Quantity: the number test on `v` (or canonical `cv`) plus system and code (or unit, without a system). */
function quantityConditions(value: QuantityValue): Document[] {
  const units: Document[] = [];
  if (value.canonical) units.push({ cc: value.c });
  else if (value.s !== undefined && value.c !== undefined) units.push({ s: value.s, c: value.c });
  else if (value.c !== undefined) units.push({ c: value.c }, { u: value.c });
  else units.push({});
  const numbers = numberConditions(value, value.canonical ? 'cv' : 'v');
  return units.flatMap((unit) => numbers.map((number) => ({ ...unit, ...number })));
}

function componentMatch(test: ComponentTest, position: number): Document[] {
  const prefix = (match: Document): Document =>
    Object.fromEntries(Object.entries(match).map(([key, condition]) => [`c.${position}.${key}`, condition]));
  switch (test.index) {
    case 'tok':
      return [prefix(tokenMatch(test.value))];
    case 'str':
      return [prefix({ n: { $regex: `^${escapeRegex(test.value)}` } })];
    case 'ref':
      return [prefix(referenceMatch(test.value))];
    case 'date':
      return dateConditions(test.value).map(prefix);
    case 'num':
      return numberConditions(test.value, 'v').map(prefix);
    case 'qty':
      return quantityConditions(test.value).map(prefix);
    case 'uri':
      return [prefix({ v: test.value })];
  }
}

/** Every combination of the alternatives of each component (usually one each). */
function combinations(alternatives: Document[][]): Document[] {
  return alternatives.reduce<Document[]>(
    (combined, options) => combined.flatMap((left) => options.map((right) => ({ ...left, ...right }))),
    [{}],
  );
}

/** The URIs `value` is below: itself and each of its parents at a `/` (for `:above`). */
function parentUris(value: string): string[] {
  const parents = [value];
  for (let slash = value.lastIndexOf('/'); slash > 0; slash = value.lastIndexOf('/', slash - 1)) {
    if (value[slash - 1] === '/') break; // stop at the scheme's `//`
    parents.push(value.slice(0, slash));
  }
  return parents;
}

/**
 * A range condition applied to the stored version time `ts`, an instant: the range [ts, ts + 1 ms).
 * So `hi > x` is `ts >= x` and `hi <= x` is `ts < x` (the only bounds dateConditions puts on hi).
 */
function onInstant(condition: Document): Document {
  const and: Document[] = [];
  if (condition.lo) and.push({ ts: condition.lo });
  for (const [op, bound] of Object.entries((condition.hi ?? {}) as Document)) {
    and.push({ ts: { [op === '$gt' ? '$gte' : '$lt']: bound } });
  }
  return and.length === 1 ? and[0]! : { $and: and };
}

export function compileCriterion(criterion: Criterion): Document {
  if ('missing' in criterion) {
    const present = elem(criterion.index, { p: criterion.p });
    return criterion.missing ? { $nor: [present] } : present;
  }
  switch (criterion.index) {
    case 'id':
      return { _id: criterion.not ? { $nin: criterion.ids } : { $in: criterion.ids } };
    case 'any':
      if (criterion.not) return criterion.of.length > 0 ? { $nor: criterion.of.map(compileCriterion) } : {};
      return criterion.of.length > 0 ? anyOf(criterion.of.map(compileCriterion)) : { _id: { $in: [] } };
    case 'lastUpdated':
      return anyOf(criterion.values.flatMap((value) => dateConditions(value).map(onInstant)));
    case 'str': {
      const { p, match, values } = criterion;
      if (match === 'exact') return elem('str', { p, x: { $in: values } });
      const anchor = match === 'prefix' ? '^' : '';
      return anyOf(values.map((value) => elem('str', { p, n: { $regex: `${anchor}${escapeRegex(value)}` } })));
    }
    case 'tok': {
      const { p } = criterion;
      if ('text' in criterion) {
        // `:text` is a string search on the display text (search.html#token): it starts with the value.
        return anyOf(criterion.text.map((text) => elem('tok', { p, t: { $regex: `^${escapeRegex(text)}` } })));
      }
      const matches = criterion.values.map((value) => elem('tok', { p, ...tokenMatch(value) }));
      return criterion.not ? { $nor: matches } : anyOf(matches);
    }
    case 'ref':
      return anyOf(criterion.values.map((value) => elem('ref', { p: criterion.p, ...referenceMatch(value) })));
    case 'date':
      return anyOf(criterion.values.flatMap((value) => dateConditions(value).map((condition) => elem('date', { p: criterion.p, ...condition }))));
    case 'num':
      return anyOf(criterion.values.flatMap((value) => numberConditions(value, 'v').map((condition) => elem('num', { p: criterion.p, ...condition }))));
    case 'qty':
      return anyOf(criterion.values.flatMap((value) => quantityConditions(value).map((condition) => elem('qty', { p: criterion.p, ...condition }))));
    case 'uri': {
      const { p, match, values } = criterion;
      if (match === 'eq') return elem('uri', { p, v: { $in: values } });
      if (match === 'above') return elem('uri', { p, v: { $in: values.flatMap(parentUris) } });
      return anyOf(values.map((value) => elem('uri', { p, v: { $regex: `^${escapeRegex(value)}` } })));
    }
    case 'comp':
      return anyOf(
        criterion.values.flatMap((combination) =>
          combinations(combination.map((test, position) => componentMatch(test, position))).map((match) =>
            elem('comp', { p: criterion.p, ...match }),
          ),
        ),
      );
  }
}

/** The filter for current, non-deleted resources matching every criterion. */
export function compileCriteria(criteria: readonly Criterion[]): Document {
  const and: Document[] = [{ deleted: false }, ...criteria.map(compileCriterion)];
  return { $and: and };
}

/** The filter for contained resources of `type` (the contained collection, contained.ts) matching every criterion. */
export function compileContainedCriteria(type: string, criteria: readonly Criterion[]): Document {
  return { $and: [{ t: type }, ...criteria.map(compileCriterion)] };
}
