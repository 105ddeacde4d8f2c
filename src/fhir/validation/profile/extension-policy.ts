/**
 * What $validate says of an extension whose definition it cannot find (ours, R4 core, HL7's
 * Extensions Pack, or a StructureDefinition stored here). As in the reference validator, by
 * default it is an error ("not allowed here"): a receiver cannot check what it cannot resolve.
 * Deployments relax it (VALIDATE_UNKNOWN_EXTENSIONS) or accept partner domains
 * (VALIDATE_EXTENSION_DOMAINS); example URLs (example.org…) are accepted, as the reference
 * validator does by default. Any other modifier extension nobody can resolve is an error whatever
 * the setting: FHIR forbids ignoring a modifier one does not understand. Writes are not affected: a receiver may
 * store extensions it does not know.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../../outcomes';

export type UnknownExtensionSeverity = 'error' | 'warning' | 'information';

export interface ExtensionPolicy {
  unknown: UnknownExtensionSeverity;
  /** URL prefixes whose extensions are accepted without a definition. */
  acceptedPrefixes: readonly string[];
}

const EXAMPLE_HOST = /^https?:\/\/([^/]*\.)?example\.(org|com|net)(:\d+)?(\/|$)/i;

export function unknownExtensionIssue(url: string, modifier: boolean, expression: string, policy: ExtensionPolicy): OperationOutcomeIssue | undefined {
  // Relative URLs name the parts of a complex extension, checked (or not) with their parent.
  if (!url.includes(':')) return undefined;
  const shown = url.slice(0, 200);
  if (EXAMPLE_HOST.test(url) || policy.acceptedPrefixes.some((prefix) => url.startsWith(prefix))) return undefined;
  if (modifier) return issue('structure', `The modifier extension ${shown} could not be found: a receiver cannot ignore a modifier it does not understand`, expression);
  return issue('structure', `The extension ${shown} could not be found so is not allowed here`, expression, policy.unknown);
}

/** The absolute extension URLs used anywhere in a resource (for resolving stored definitions first). */
export function extensionUrls(value: unknown, out: Set<string> = new Set(), depth = 0): Set<string> {
  if (typeof value !== 'object' || value === null || depth > 60) return out;
  if (Array.isArray(value)) {
    for (const item of value) extensionUrls(item, out, depth + 1);
    return out;
  }
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'extension' || key === 'modifierExtension') && Array.isArray(child)) {
      for (const e of child) {
        const url = (e as { url?: unknown } | null)?.url;
        if (typeof url === 'string' && url.includes(':')) out.add(url);
      }
    }
    extensionUrls(child, out, depth + 1);
  }
  return out;
}
