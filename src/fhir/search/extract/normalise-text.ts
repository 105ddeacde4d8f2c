/**
 * The one text normalisation of search: lower-cased, accent-folded (NFD without combining
 * marks), whitespace collapsed. The query side must normalise search input with this same
 * function so that `name=zoe` finds `Zoë`.
 */

const NON_ASCII = /[^ -~\t\n\r]/;
const COMBINING_MARKS = /\p{M}+/gu;
const WHITESPACE = /\s+/g;

export function normaliseText(text: string): string {
  let out = text.toLowerCase();
  if (NON_ASCII.test(out)) out = out.normalize('NFD').replace(COMBINING_MARKS, '');
  out = out.replace(WHITESPACE, ' ');
  return out.length > 0 && (out.charCodeAt(0) === 32 || out.charCodeAt(out.length - 1) === 32) ? out.trim() : out;
}
