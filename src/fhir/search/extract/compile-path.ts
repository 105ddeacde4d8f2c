/**
 * Compiles the FHIRPath subset (fhirpath-subset.ts) into plain JS closures over the JSON,
 * resolving element and choice types once, at compile time, from the StructureDefinitions:
 * `Observation.value as Quantity` becomes a read of `valueQuantity`, `Observation.effective`
 * reads the four `effective[x]` properties. fhirpath.js answers the same expressions ~50×
 * slower, which search extraction on every write cannot afford.
 */
import { type2Parent } from 'fhirpath/fhir-context/r4';
import type { FhirDefinitions } from '../../definitions';
import type { Condition, Expr, PathExpr, Step } from './fhirpath-subset';
import { UnsupportedExpression, parseFhirPathSubset } from './fhirpath-subset';
import { referenceHasType } from './reference-type';

/** Where evaluation results go: raw JSON values and their type keys, side by side. */
export interface NodeSink {
  values: unknown[];
  types: string[];
}

/**
 * A type key is a FHIR type code (`HumanName`, `dateTime`, `Age`), a resource type, the path
 * whose children describe a backbone element (`Observation.component`), or `Resource` for a
 * resource whose type is only known at run time (`Bundle.entry.resource`).
 */
type Run = (values: unknown[], sink: NodeSink, resource: unknown) => void;

/** FHIRPath System type names: fhirpath.js matches them loosely against FHIR primitives. */
const SYSTEM_TYPES = new Set(['Boolean', 'String', 'Integer', 'Long', 'Decimal', 'Date', 'DateTime', 'Time']);
const STRING_TYPES = new Set(['string', 'code', 'id', 'uri', 'url', 'canonical', 'markdown', 'oid', 'uuid']);
const NUMBER_TYPES = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);
const parents = type2Parent as Record<string, string | undefined>;

export function isSubtype(type: string, ancestor: string): boolean {
  for (let t: string | undefined = type; t; t = parents[t]) if (t === ancestor) return true;
  return false;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface Alternative {
  key: string;
  type: string;
}

export interface FastPath {
  evaluate(context: unknown, resource: unknown, sink: NodeSink): void;
  /** The type keys the expression can yield (`Resource` when known only at run time). */
  readonly outputTypes: ReadonlySet<string>;
}

export class PathCompiler {
  /** Where terminal steps record their type: the expression's, or a comparison's scratch set. */
  private outputs: Set<string>[] = [];

  constructor(private readonly defs: FhirDefinitions) {}

  /**
   * Compiles `text` for a context of type `contextType` inside a resource of type
   * `resourceType`. Throws UnsupportedExpression when the expression leaves the subset.
   */
  compile(text: string, contextType: string, resourceType: string): FastPath {
    const outputTypes = new Set<string>();
    this.outputs = [outputTypes];
    const run = this.expr(parseFhirPathSubset(text), contextType, resourceType);
    return { evaluate: (context, resource, sink) => run([context], sink, resource), outputTypes };
  }

  private expr(expr: Expr, contextType: string, resourceType: string): Run {
    if (expr.kind === 'union') {
      const runs = expr.items.map((item) => this.expr(item, contextType, resourceType));
      return (values, sink, resource) => {
        for (const run of runs) run(values, sink, resource);
      };
    }
    return this.path(expr, contextType, resourceType);
  }

  private path(path: PathExpr, contextType: string, resourceType: string): Run {
    const { start } = path;
    if (start === 'context') return this.steps(path.steps, 0, contextType, false);
    if (start === 'resource') {
      const run = this.steps(path.steps, 0, resourceType, false);
      return (_values, sink, resource) => run([resource], sink, resource);
    }
    // A parenthesised expression followed by steps: distribute them over its branches.
    if (path.steps.some((s) => s.kind === 'index')) throw new UnsupportedExpression('indexer after a union');
    const distribute = (e: Expr): Expr =>
      e.kind === 'union'
        ? { kind: 'union', items: e.items.map(distribute) }
        : { ...e, steps: [...e.steps, ...path.steps] };
    return this.expr(distribute(start), contextType, resourceType);
  }

  private steps(steps: readonly Step[], i: number, type: string, branched: boolean): Run {
    const step = steps[i];
    if (!step) this.outputs[this.outputs.length - 1]!.add(type);
    if (!step) return (values, sink) => {
      for (const v of values) {
        sink.values.push(v);
        sink.types.push(type === 'Resource' ? ((v as { resourceType?: string }).resourceType ?? type) : type);
      }
    };
    switch (step.kind) {
      case 'rootType': {
        if (i !== 0) throw new UnsupportedExpression('type name inside a path');
        if (!isSubtype(type, step.name)) return () => undefined;
        return this.steps(steps, i + 1, type, branched);
      }
      case 'member':
        return this.member(steps, i, type, step.name, branched);
      case 'ofType':
        return this.ofType(steps, i, type, step.type, branched);
      case 'where': {
        const test = this.condition(step.condition, type);
        const next = this.steps(steps, i + 1, type, branched);
        return (values, sink, resource) => {
          const kept = values.filter((v) => test(v, resource));
          if (kept.length > 0) next(kept, sink, resource);
        };
      }
      case 'extension': {
        const member: Step = { kind: 'member', name: 'extension' };
        const urlIs: Step = { kind: 'where', condition: { kind: 'equals', path: { kind: 'path', start: 'context', steps: [{ kind: 'member', name: 'url' }] }, value: step.url } };
        return this.steps([...steps.slice(0, i), member, urlIs, ...steps.slice(i + 1)], i, type, branched);
      }
      case 'index': {
        if (branched) throw new UnsupportedExpression('indexer after a choice');
        const next = this.steps(steps, i + 1, type, branched);
        const at = step.index;
        return (values, sink, resource) => {
          if (at < values.length) next([values[at]], sink, resource);
        };
      }
    }
  }

  private member(steps: readonly Step[], i: number, type: string, name: string, branched: boolean): Run {
    const alternatives = this.alternatives(type, name);
    const runs = alternatives.map((alt) => ({ key: alt.key, next: this.steps(steps, i + 1, alt.type, branched || alternatives.length > 1) }));
    if (runs.length === 1) {
      const { key, next } = runs[0]!;
      return (values, sink, resource) => {
        const out = children(values, key);
        if (out) next(out, sink, resource);
      };
    }
    return (values, sink, resource) => {
      for (const { key, next } of runs) {
        const out = children(values, key);
        if (out) next(out, sink, resource);
      }
    };
  }

  private ofType(steps: readonly Step[], i: number, type: string, wanted: string, branched: boolean): Run {
    if (SYSTEM_TYPES.has(wanted)) throw new UnsupportedExpression(`System type ${wanted}`);
    if (type.includes('.')) throw new UnsupportedExpression('ofType on a backbone element');
    if (type !== 'Resource') {
      return isSubtype(type, wanted) ? this.steps(steps, i + 1, type, branched) : () => undefined;
    }
    if (!this.defs.isResourceType(wanted) && wanted !== 'Resource' && wanted !== 'DomainResource') return () => undefined;
    const next = this.steps(steps, i + 1, wanted === 'Resource' || wanted === 'DomainResource' ? 'Resource' : wanted, branched);
    return (values, sink, resource) => {
      const kept = values.filter((v) => isSubtype((v as { resourceType?: string }).resourceType ?? '', wanted));
      if (kept.length > 0) next(kept, sink, resource);
    };
  }

  private condition(condition: Condition, type: string): (item: unknown, resource: unknown) => boolean {
    switch (condition.kind) {
      case 'and': {
        const tests = condition.items.map((c) => this.condition(c, type));
        return (item, resource) => tests.every((t) => t(item, resource));
      }
      case 'resolveIs': {
        if (type !== 'Reference') throw new UnsupportedExpression('resolve() on a non-Reference');
        const target = condition.type;
        return (item) => referenceHasType(item, target);
      }
      case 'equals': {
        const outTypes = new Set<string>();
        this.outputs.push(outTypes);
        const run = this.path(condition.path, type, type);
        this.outputs.pop();
        const literal = condition.value;
        const comparable = typeof literal === 'string' ? STRING_TYPES : typeof literal === 'number' ? NUMBER_TYPES : new Set(['boolean']);
        for (const t of outTypes) if (!comparable.has(t)) throw new UnsupportedExpression(`= on ${t}`);
        return (item, resource) => {
          const sink: NodeSink = { values: [], types: [] };
          run([item], sink, resource);
          return sink.values.length === 1 && sink.values[0] === literal;
        };
      }
    }
  }

  /** The JSON properties (and their types) that element `name` of `type` is stored in. */
  private alternatives(type: string, name: string): Alternative[] {
    if (type === 'Resource' || /^[a-z]/.test(type)) throw new UnsupportedExpression(`member ${name} of ${type}`);
    const element = this.element(type, name);
    if (!element) throw new UnsupportedExpression(`unknown element ${type}.${name}`);
    if (element.choiceBase !== undefined) {
      return element.typeCodes.map((code) => ({ key: element.choiceBase + capitalise(code), type: code }));
    }
    if (element.childrenPath) return [{ key: name, type: element.childrenPath }];
    const [code, ...more] = element.typeCodes;
    if (!code || more.length > 0) throw new UnsupportedExpression(`untyped element ${type}.${name}`);
    return [{ key: name, type: code }];
  }

  private element(type: string, name: string) {
    const find = (parent: string) => this.defs.getElement(`${parent}.${name}`) ?? this.defs.getElement(`${parent}.${name}[x]`);
    const found = find(type);
    if (found || type.includes('.')) return found;
    // A constrained datatype (SimpleQuantity, MoneyQuantity) keeps its base type's elements.
    const base = this.defs.getStructureDefinition(type)?.type;
    return base && base !== type ? find(base) : undefined;
  }
}

/** The non-null values of property `key` of each value, arrays flattened; undefined if none. */
function children(values: unknown[], key: string): unknown[] | undefined {
  let out: unknown[] | undefined;
  for (const value of values) {
    if (typeof value !== 'object' || value === null) continue;
    const child = (value as Record<string, unknown>)[key];
    if (child === undefined || child === null) continue;
    out ??= [];
    if (Array.isArray(child)) {
      for (const item of child) if (item !== null && item !== undefined) out.push(item);
    } else out.push(child);
  }
  return out;
}
