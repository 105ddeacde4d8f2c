/**
 * composite parameters: each node of the composite's expression (an Observation, each of its
 * components, a useContext…) gives one entry per combination of its components' values, each
 * value normalised by its component's own type and stored without `p`.
 */
import type { SearchComponentInfo, SearchParamInfo } from '../registry';
import type { NodeSink } from './compile-path';
import type { ExtractContext } from './index-builder';
import { IndexBuilder } from './index-builder';
import { normaliseValue } from './normalise-value';
import type { SearchParamType } from './types';

/** Beyond this many combinations per node, the rest are dropped (a pathological resource). */
const MAX_COMBINATIONS = 256;

type EntryKind = 'str' | 'tok' | 'ref' | 'date' | 'num' | 'qty' | 'uri';

const KIND: Record<SearchParamType, EntryKind | undefined> = {
  string: 'str', token: 'tok', reference: 'ref', date: 'date', number: 'num', quantity: 'qty', uri: 'uri',
  composite: undefined, special: undefined,
};

/** The normalised values of one component for one base node, without `p`. */
function componentValues(component: SearchComponentInfo, node: unknown, type: string, resource: unknown, ctx: ExtractContext): Array<Record<string, unknown>> {
  const kind = KIND[component.type];
  if (!kind) return [];
  const sink: NodeSink = { values: [], types: [] };
  component.compile(type).evaluate(node, resource, sink);
  const scratch = new IndexBuilder();
  for (let i = 0; i < sink.values.length; i++) normaliseValue(component.type, '', sink.values[i], sink.types[i]!, scratch, ctx);
  const entries = scratch[kind] as unknown as Array<Record<string, unknown>>;
  const result: Array<Record<string, unknown>> = [];
  for (const { p: _p, ...rest } of entries) {
    // A text-only token cannot take part in `system|code$value` matching.
    if (component.type === 'token' && rest.c === undefined) continue;
    result.push(rest);
  }
  return result;
}

export function extractComposite(info: SearchParamInfo, resource: unknown, out: IndexBuilder, ctx: ExtractContext): void {
  const components = info.components;
  if (!info.compiled || !components) return;
  const sink: NodeSink = { values: [], types: [] };
  info.compiled.evaluate(resource, resource, sink);
  for (let n = 0; n < sink.values.length; n++) {
    const node = sink.values[n];
    const type = sink.types[n]!;
    let combinations: Array<Array<Record<string, unknown>>> = [[]];
    for (const component of components) {
      const values = componentValues(component, node, type, resource, ctx);
      const next: Array<Array<Record<string, unknown>>> = [];
      for (const combination of combinations) {
        for (const value of values) {
          if (next.length >= MAX_COMBINATIONS) break;
          next.push([...combination, value]);
        }
      }
      combinations = next;
      if (combinations.length === 0) break;
    }
    for (const c of combinations) out.comp.push({ p: info.code, c });
  }
}
