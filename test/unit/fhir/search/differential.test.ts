/**
 * The proof of the fast FHIRPath compiler: on every official R4 example and every Synthea
 * resource, for every search parameter of the resource's type, the raw values it selects equal
 * those of fhirpath.js evaluating the same expression. Composite components are compared on
 * each base node.
 *
 * Documented differences of the oracle, not of the compiler:
 * - `where(resolve() is T)`: fhirpath.js resolves only asynchronously against a server, so the
 *   oracle evaluates the equivalent literal-type test (reference-type.ts resolveIsAsFhirPath).
 * - Results are compared as sets, and each branch of a top-level union is evaluated on its own:
 *   FHIRPath `|` removes duplicates, and fhirpath.js's deduplication compares decimals
 *   approximately (it merges 1e-245 g with 1e-22 g in the official `decimal` example).
 *   Duplicates do not change what a search matches.
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { splitUnion } from '../../../../src/fhir/search/expression-branches';
import type { NodeSink } from '../../../../src/fhir/search/extract/compile-path';
import { withoutResolve } from '../../../../src/fhir/search/extract/fhirpath-fallback';
import type { SearchParamInfo } from '../../../../src/fhir/search/registry';
import type { JsonResource } from './corpus';
import { officialExamples, syntheaResources } from './corpus';
import { registry } from './helpers';

function asSet(values: readonly unknown[]): string[] {
  return [...new Set(values.map((v) => JSON.stringify(v)))].sort();
}

/** fhirpath.js on each branch of `expression`, for a context at `base` (a type or backbone path). */
function oracle(expression: string, context: unknown, resource: JsonResource, base: string): unknown[] {
  const values: unknown[] = [];
  for (const branch of splitUnion(withoutResolve(expression))) {
    const path = base === resource.resourceType && context === resource ? branch : { base, expression: branch };
    values.push(...(fhirpath.evaluate(context, path, { resource }, r4) as unknown[]));
  }
  return values;
}

function fast(evaluate: (c: unknown, r: unknown, s: NodeSink) => void, context: unknown, resource: unknown): NodeSink {
  const sink: NodeSink = { values: [], types: [] };
  evaluate(context, resource, sink);
  return sink;
}

interface Mismatch {
  param: string;
  id: string | undefined;
  fast: string[];
  oracle: string[];
}

interface Tally {
  checks: number;
  /** Comparisons where fhirpath.js found something: the ones that prove anything. */
  nonEmpty: number;
  mismatches: Mismatch[];
}

function check(tally: Tally, param: string, id: string | undefined, actual: string[], expected: string[]): void {
  tally.checks += 1;
  if (expected.length > 0) tally.nonEmpty += 1;
  if (JSON.stringify(actual) !== JSON.stringify(expected)) tally.mismatches.push({ param, id, fast: actual, oracle: expected });
}

function compare(resource: JsonResource, info: SearchParamInfo, tally: Tally): void {
  const compiled = info.compiled!;
  const param = `${resource.resourceType}.${info.code}`;
  const nodes = fast(compiled.evaluate, resource, resource);
  check(tally, param, resource.id, asSet(nodes.values), asSet(oracle(info.fhirpath!, resource, resource, resource.resourceType)));
  for (const component of info.components ?? []) {
    for (let i = 0; i < nodes.values.length; i++) {
      const node = nodes.values[i];
      const type = nodes.types[i]!;
      const got = asSet(fast(component.compile(type).evaluate, node, resource).values);
      const want = asSet(oracle(component.expression, node, resource, type));
      check(tally, `${param} ${component.code} on ${type}`, resource.id, got, want);
    }
  }
}

function differential(resources: readonly JsonResource[]): Tally {
  const tally: Tally = { checks: 0, nonEmpty: 0, mismatches: [] };
  for (const resource of resources) {
    for (const info of registry().forType(resource.resourceType).values()) {
      if (info.compiled) compare(resource, info, tally);
    }
  }
  return tally;
}

describe('fast path = fhirpath.js, on real resources', () => {
  it('agrees on every parameter of every official R4 example', () => {
    const examples = officialExamples();
    expect(examples.length).toBeGreaterThan(700);
    const { checks, nonEmpty, mismatches } = differential(examples);
    expect(checks).toBeGreaterThan(15_000);
    expect(nonEmpty).toBeGreaterThan(6_000);
    console.log(`official examples: ${checks} comparisons, ${nonEmpty} non-empty, ${mismatches.length} mismatches`);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('agrees on every parameter of every Synthea resource', () => {
    const resources = syntheaResources();
    expect(resources.length).toBeGreaterThan(7000);
    const { checks, nonEmpty, mismatches } = differential(resources);
    expect(checks).toBeGreaterThan(200_000);
    expect(nonEmpty).toBeGreaterThan(60_000);
    console.log(`Synthea: ${checks} comparisons, ${nonEmpty} non-empty, ${mismatches.length} mismatches`);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
