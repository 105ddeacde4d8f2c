/**
 * Narrative XHTML rules (narrative.html#xhtml) that txt-1 states through `htmlChecks()`, which
 * fhirpath.js does not implement: no active content (scripts, forms, frames, embedded objects,
 * event-handler attributes) and only XML's predefined or numeric character entities.
 * A light scan, not an XML parser: the JSON schema has already checked the `div` is a string.
 */

const FORBIDDEN_ELEMENTS = new Set([
  'script', 'object', 'applet', 'iframe', 'frame', 'frameset', 'form', 'input', 'button', 'select', 'textarea',
  'embed', 'base', 'link', 'meta', 'style', 'head', 'body', 'html', 'title',
]);
const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/**
 * Everything the scans below could object to, and more: a narrative without any of it (most of
 * them) is fine without running them, which every write pays for.
 */
const SUSPECT = /<(?:[\w-]*:)*(?:script|object|applet|iframe|frame|frameset|form|input|button|select|textarea|embed|base|link|meta|style|head|body|html|title)(?![\w:-])|\son[a-z]+\s*=|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/i;

/** The first problem with a narrative `div`, or undefined. */
export function narrativeProblem(div: string): string | undefined {
  if (!SUSPECT.test(div)) return undefined;
  for (const match of div.matchAll(/<([A-Za-z][\w:-]*)([^>]*)>/g)) {
    const name = match[1]!.toLowerCase().replace(/^.*:/, '');
    if (FORBIDDEN_ELEMENTS.has(name)) return `Invalid element name in the XHTML ('${name}')`;
    const attribute = /\s(on[a-z]+)\s*=/i.exec(match[2] ?? '');
    if (attribute) return `Invalid attribute name in the XHTML ('${attribute[1]}' on '${name}')`;
  }
  for (const match of div.matchAll(/&([^;\s&]{1,32});/g)) {
    const entity = match[1]!;
    if (!XML_ENTITIES.has(entity) && !/^#(\d+|x[0-9a-fA-F]+)$/.test(entity)) return `Invalid entity in the XHTML ('&${entity};')`;
  }
  return undefined;
}
