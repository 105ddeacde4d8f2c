/**
 * The oracle's view of a resource: the nodes a SearchParameter expression selects, evaluated
 * by fhirpath.js (not by the server's compiled paths), each with its FHIR type name so the
 * matchers know a Coding from an Identifier.
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';

export type Json = Record<string, unknown>;

export interface StoredResource extends Json {
  resourceType: string;
  id: string;
}

export interface TypedValue {
  /** FHIR type name (`CodeableConcept`, `Reference`, `dateTime`, `BackboneElement`…). */
  type: string;
  data: unknown;
  /** The fhirpath.js node, so composite components can be evaluated relative to it. */
  node: unknown;
  /** The resource it came from (`%resource` for expressions relative to the node). */
  resource: unknown;
}

interface FhirPathNode {
  data: unknown;
  getTypeInfo(): { name: string; namespace?: string };
}

/**
 * fhirpath.js resolves references only asynchronously against a server, so
 * `where(resolve() is T)` becomes a test on the literal reference (or its `type` when the
 * reference has no literal): the reference names a resource of type T.
 */
export function withoutResolve(expression: string): string {
  return expression.replace(
    /where\(\s*resolve\(\)\s+is\s+([A-Za-z]+)\s*\)/g,
    (_, type: string) => `where(reference.matches('(^|/)${type}/[^/]+(/_history/[^/]+)?$') or (reference.empty() and type = '${type}'))`,
  );
}

type Compiled = (context: unknown, env: { resource: unknown }) => unknown[];
const compiled = new Map<string, Compiled>();

function compile(expression: string): Compiled {
  let fn = compiled.get(expression);
  if (!fn) {
    fn = fhirpath.compile(withoutResolve(expression), r4, { resolveInternalTypes: false }) as unknown as Compiled;
    compiled.set(expression, fn);
  }
  return fn;
}

const SYSTEM_TYPES: Record<string, string> = { String: 'string', Boolean: 'boolean', Integer: 'integer', Decimal: 'decimal', DateTime: 'dateTime', Date: 'date' };

const NUMBER_TYPES = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);

/** fhirpath.js keeps numbers as decimal objects (`{ value, asStr }`): the matchers take plain numbers. */
function plainNumber(data: unknown): unknown {
  return typeof data === 'object' && data !== null && typeof (data as { value?: unknown }).value === 'number' ? (data as { value: number }).value : data;
}

/** fhirpath.js refused to evaluate an expression on some data. */
export class UnevaluableError extends Error {}

function run(expression: string, context: unknown, resource: unknown): unknown[] {
  try {
    return compile(expression)(context, { resource });
  } catch (error) {
    throw new UnevaluableError(`${expression}: ${(error as Error).message}`);
  }
}

/** Evaluates `expression` on a resource, or on a node of an earlier evaluation on `resource`. */
export function evaluate(context: unknown, expression: string, resource: unknown = context): TypedValue[] {
  const result: TypedValue[] = [];
  for (const item of run(expression, context, resource)) {
    if (typeof item === 'object' && item !== null && 'getTypeInfo' in item) {
      const node = item as FhirPathNode;
      if (node.data === null || node.data === undefined) continue;
      const { name, namespace } = node.getTypeInfo();
      const type = namespace === 'System' ? (SYSTEM_TYPES[name] ?? name) : name;
      result.push({ type, data: NUMBER_TYPES.has(type) ? plainNumber(node.data) : node.data, node, resource });
    } else if (item !== null && item !== undefined) {
      result.push({ type: typeof item === 'number' ? 'decimal' : typeof item, data: item, node: item, resource });
    }
  }
  return result;
}
