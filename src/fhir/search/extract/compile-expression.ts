/**
 * One evaluator per (expression, context type): the fast compiler when the expression is in
 * its subset, fhirpath.js otherwise. Both fill a NodeSink with raw JSON values and type keys.
 */
import type { FhirDefinitions } from '../../definitions';
import type { NodeSink } from './compile-path';
import { PathCompiler } from './compile-path';
import { compileFallback } from './fhirpath-fallback';
import { UnsupportedExpression } from './fhirpath-subset';

export interface CompiledExpression {
  /** True when compiled to plain JS; false when fhirpath.js evaluates it. */
  readonly fast: boolean;
  /** Why the fast compiler declined, when it did. */
  readonly fallbackReason?: string;
  /** The type keys a fast expression can yield (unknown for fhirpath.js). */
  readonly outputTypes?: ReadonlySet<string>;
  /** Appends the nodes the expression selects from `context` (`resource` answers %resource). */
  evaluate(context: unknown, resource: unknown, sink: NodeSink): void;
}

export class ExpressionCompiler {
  private readonly paths: PathCompiler;
  private readonly cache = new Map<string, CompiledExpression>();

  constructor(definitions: FhirDefinitions) {
    this.paths = new PathCompiler(definitions);
  }

  /**
   * `contextType` is the resource type, or for composite components the type key of the
   * composite's base node (a backbone path such as `Observation.component`).
   */
  compile(expression: string, contextType: string, resourceType: string): CompiledExpression {
    const key = `${resourceType}\u0000${contextType}\u0000${expression}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      compiled = this.build(expression, contextType, resourceType);
      this.cache.set(key, compiled);
    }
    return compiled;
  }

  private build(expression: string, contextType: string, resourceType: string): CompiledExpression {
    try {
      const { evaluate, outputTypes } = this.paths.compile(expression, contextType, resourceType);
      return { fast: true, evaluate, outputTypes };
    } catch (err) {
      if (!(err instanceof UnsupportedExpression)) throw err;
      return { fast: false, fallbackReason: err.message, evaluate: compileFallback(expression, contextType, resourceType) };
    }
  }
}

export type { NodeSink };
