/**
 * Regular expressions that come from users (FHIRPath `matches()`, ValueSet `regex` filters) must
 * not stall the event loop for hours on a crafted pattern (ReDoS): `(a+)+$` against forty a's
 * and a `!`. With this V8 flag on, a regex that backtracks excessively is re-run on V8's
 * linear-time engine. That engine has no `u` or `i` flags, backreferences or lookaround, so user
 * patterns are compiled without them, and refused when they need them.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export class UnsafePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePatternError';
  }
}

/** The first backreference (`\1`, `\k<name>`) or lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`) in `pattern`. */
function backtrackingFeature(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'a backreference';
      i++;
    } else if (c === '(' && pattern[i + 1] === '?' && (/[=!]/.test(pattern[i + 2] ?? '') || (pattern[i + 2] === '<' && /[=!]/.test(pattern[i + 3] ?? '')))) {
      return 'a lookaround';
    }
  }
  return undefined;
}

/**
 * A RegExp for a user's pattern that runs in linear time once it backtracks too much. Throws
 * UnsafePatternError for what the linear engine cannot run, SyntaxError for an invalid pattern.
 */
export function linearRegex(pattern: string, flags = ''): RegExp {
  const feature = backtrackingFeature(pattern);
  if (feature) throw new UnsafePatternError(`Regular expressions with ${feature} are not supported`);
  if (/[iu]/.test(flags)) throw new UnsafePatternError(`The regular expression flag '${flags.replace(/[^iu]/g, '')}' is not supported`);
  return new RegExp(pattern, flags);
}
