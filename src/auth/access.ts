/** How a request is authenticated, as the FHIR layer sees it. */
import type { AuthContext } from './auth-context';

export type Access =
  /** Authentication is off (AUTH_ENABLED=false): development and the older test suites. */
  | { mode: 'open' }
  /** No token: only the public routes answer (public-routes.ts). */
  | { mode: 'anonymous' }
  | { mode: 'token'; auth: AuthContext };

export const OPEN_ACCESS: Access = Object.freeze({ mode: 'open' });
export const ANONYMOUS_ACCESS: Access = Object.freeze({ mode: 'anonymous' });
