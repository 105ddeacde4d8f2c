/** The terminology service as the rest of the server uses it: resolution plus expansion. */
import { ValueSetExpander } from './expand';
import type { LocalTerminology } from './local-terminology';
import { localTerminology } from './local-terminology';
import type { TerminologySource } from './terminology-resolver';
import { TerminologyResolver } from './terminology-resolver';

export interface Terminology {
  resolver: TerminologyResolver;
  expander: ValueSetExpander;
}

/** `local`: our `terminology/` (read from the repository unless given). */
export function createTerminology(source: TerminologySource, local: LocalTerminology = localTerminology()): Terminology {
  const resolver = new TerminologyResolver(source, local);
  return { resolver, expander: new ValueSetExpander(resolver) };
}
