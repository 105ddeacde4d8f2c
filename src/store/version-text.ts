/**
 * A stored version whose resource is parsed only when first used. The store has the version's
 * JSON text at hand; a response that needs nothing but that text (a plain read) sends it as it
 * is, sparing a JSON.parse and a JSON.stringify of the whole resource, about an eighth of a
 * read's CPU. Once anything reads `resource`, the text is forgotten: from then on the parsed
 * object, which its reader may change, is the only truth. Copies of the version (spreads) parse
 * the resource and carry no text.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from './fhir-store';

const unparsed = new WeakMap<object, string>();

/** `version` (without `resource`) with `resource` parsed from `json` on first use. */
export function withLazyResource(version: Omit<StoredVersion, 'resource'>, json: string): StoredVersion {
  const settle = (resource: Resource | undefined): void => {
    unparsed.delete(version);
    Object.defineProperty(version, 'resource', { value: resource, writable: true, enumerable: true, configurable: true });
  };
  unparsed.set(version, json);
  Object.defineProperty(version, 'resource', {
    enumerable: true,
    configurable: true,
    get(): Resource {
      const resource = JSON.parse(json) as Resource;
      settle(resource);
      return resource;
    },
    set: settle,
  });
  return version as StoredVersion;
}

/** Whether `version` has a resource, without parsing it. */
export function hasResource(version: StoredVersion): boolean {
  return unparsed.has(version) || version.resource !== undefined;
}

/** The JSON text of `version`'s resource while nobody has parsed it; undefined otherwise. */
export function unparsedJson(version: object): string | undefined {
  return unparsed.get(version);
}
