/**
 * fhirpath.js for the expressions the fast compiler does not handle. Compiled once per
 * expression and context; results keep their FHIR type so they normalise like fast results.
 */
import fhirpath from 'fhirpath';
import { LINEAR_REGEX_FUNCTIONS } from '../../fhirpath-regex';
import r4 from 'fhirpath/fhir-context/r4';
import type { NodeSink } from './compile-path';
import { nativeFallback } from './native-fallbacks';
import { resolveIsAsFhirPath } from './reference-type';

/** Replaces `where(resolve() is T)`, which fhirpath.js can only run asynchronously. */
export function withoutResolve(expression: string): string {
  return expression.replace(/where\(\s*resolve\(\)\s+is\s+([A-Za-z]+)\s*\)/g, (_, t: string) => resolveIsAsFhirPath(t));
}

interface FhirPathNode {
  data: unknown;
  path?: string;
  getTypeInfo(): { name: string; namespace?: string };
}

function isNode(value: unknown): value is FhirPathNode {
  return typeof value === 'object' && value !== null && 'getTypeInfo' in value && 'data' in value;
}

/** FHIRPath System types (fhirpath.js types `Resource.id` so) as the FHIR primitive. */
const SYSTEM_TO_FHIR: Record<string, string> = {
  String: 'string', Boolean: 'boolean', Integer: 'integer', Decimal: 'decimal', Date: 'date', DateTime: 'dateTime', Time: 'time',
};

/** The type key of a fhirpath.js result (see compile-path.ts NodeSink). */
function typeKey(node: FhirPathNode): string {
  const data = node.data as { resourceType?: unknown };
  if (typeof data === 'object' && typeof data.resourceType === 'string') return data.resourceType;
  const { name, namespace } = node.getTypeInfo();
  if ((name === 'BackboneElement' || name === 'Element') && node.path) return node.path;
  return namespace === 'System' ? SYSTEM_TO_FHIR[name] ?? name : name;
}

export type FallbackEvaluator = (context: unknown, resource: unknown, sink: NodeSink) => void;

/**
 * Compiles `expression` for a context at model path `contextPath` (a resource type, or a
 * backbone path such as `Observation.component` for composite components).
 */
export function compileFallback(expression: string, contextPath: string, resourceType: string, options: { natives?: boolean } = {}): FallbackEvaluator {
  const native = options.natives === false ? undefined : nativeFallback(expression, contextPath);
  if (native) return native;
  const text = withoutResolve(expression);
  const isRoot = contextPath === resourceType;
  const compiled = fhirpath.compile(isRoot ? text : { base: contextPath, expression: text }, r4, { resolveInternalTypes: false, userInvocationTable: LINEAR_REGEX_FUNCTIONS });
  return (context, resource, sink) => {
    const results = compiled(context, { resource }) as unknown[];
    for (const result of results) {
      if (isNode(result)) {
        if (result.data === null || result.data === undefined) continue;
        sink.values.push(result.data);
        sink.types.push(typeKey(result));
      } else if (typeof result === 'boolean') {
        sink.values.push(result);
        sink.types.push('boolean');
      } else if (typeof result === 'number') {
        sink.values.push(result);
        sink.types.push(Number.isInteger(result) ? 'integer' : 'decimal');
      } else if (result !== null && result !== undefined) {
        sink.values.push(String(result));
        sink.types.push('string');
      }
    }
  };
}
