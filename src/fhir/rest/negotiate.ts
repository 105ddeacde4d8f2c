/**
 * Content negotiation: FHIR JSON only. `_format` overrides Accept
 * (http.html#mime-type); anything we cannot produce is 406, any body we cannot
 * read is 415.
 */
import { errors } from '../outcomes';
import type { FhirRequest } from './types';
import { first } from './types';

export type JsonFlavour = 'application/fhir+json' | 'application/json';

const FORMAT_ALIASES: Record<string, JsonFlavour> = {
  json: 'application/fhir+json',
  'application/fhir+json': 'application/fhir+json',
  'application/json+fhir': 'application/fhir+json',
  'application/json': 'application/json',
  'text/json': 'application/json',
};

const JSON_BODY_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json+fhir']);

function mediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

interface AcceptRange {
  type: string;
  q: number;
}

function parseAccept(accept: string): AcceptRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { type: type.trim().toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((range) => range.type !== '' && range.q > 0);
}

/** The JSON flavour to answer with; throws 406 when the client accepts neither. */
export function responseFormat(req: FhirRequest): JsonFlavour {
  const format = first(req.query, '_format');
  if (format !== undefined) {
    const flavour = FORMAT_ALIASES[mediaType(format)];
    if (!flavour) throw errors.notAcceptable(`_format '${format.slice(0, 60)}' is not supported; this server speaks FHIR JSON`);
    return flavour;
  }
  const accept = req.headers.accept;
  if (!accept) return 'application/fhir+json';
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return 'application/fhir+json';
  let best: { flavour: JsonFlavour; q: number } | undefined;
  for (const range of ranges) {
    const flavour: JsonFlavour | undefined =
      FORMAT_ALIASES[range.type] ?? (range.type === '*/*' || range.type === 'application/*' ? 'application/fhir+json' : undefined);
    if (flavour && (!best || range.q > best.q)) best = { flavour, q: range.q };
  }
  if (!best) throw errors.notAcceptable(`None of the accepted types (${accept.slice(0, 100)}) can be produced; use application/fhir+json`);
  return best.flavour;
}

/** True when the client explicitly asked for FHIR JSON (Binary then answers with the resource). */
export function explicitlyWantsFhir(req: FhirRequest): boolean {
  if (first(req.query, '_format') !== undefined) return true;
  const accept = req.headers.accept;
  if (!accept) return false;
  return parseAccept(accept).some((range) => range.type in FORMAT_ALIASES);
}

export function isJsonBody(req: FhirRequest): boolean {
  const type = req.headers['content-type'];
  return type === undefined || JSON_BODY_TYPES.has(mediaType(type));
}

export function requestMediaType(req: FhirRequest): string | undefined {
  const type = req.headers['content-type'];
  return type === undefined ? undefined : mediaType(type);
}

/** Rejects a body whose Content-Type is not FHIR JSON. */
export function assertJsonBody(req: FhirRequest): void {
  if (!isJsonBody(req)) {
    throw errors.unsupportedMediaType(
      `Content-Type '${(req.headers['content-type'] ?? '').slice(0, 80)}' is not supported; send application/fhir+json`,
    );
  }
}
