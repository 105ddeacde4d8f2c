/** The Prefer header (http.html#ops): return=minimal | representation | OperationOutcome. */
import type { FhirRequest } from './types';

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

export function returnPreference(req: FhirRequest): ReturnPreference {
  const prefer = req.headers.prefer;
  if (!prefer) return 'representation';
  const match = /(?:^|[;,\s])return\s*=\s*"?(minimal|representation|OperationOutcome)"?/i.exec(prefer);
  const value = match?.[1]?.toLowerCase();
  if (value === 'minimal') return 'minimal';
  if (value === 'operationoutcome') return 'OperationOutcome';
  return 'representation';
}
