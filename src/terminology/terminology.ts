/** The terminology service as the rest of the server uses it: resolution plus expansion. */
import { ValueSetExpander } from './expand';
import type { TerminologySource } from './terminology-resolver';
import { TerminologyResolver } from './terminology-resolver';

export interface Terminology {
  resolver: TerminologyResolver;
  expander: ValueSetExpander;
}

export function createTerminology(source: TerminologySource): Terminology {
  const resolver = new TerminologyResolver(source);
  return { resolver, expander: new ValueSetExpander(resolver) };
}
