/**
 * References between the resources a Parameters resource carries (an operation's inputs or
 * outputs, e.g. $member-match: a Coverage whose beneficiary is the Patient beside it). A relative
 * `Type/id` reference must name one of the carried resources when the Parameters carries
 * resources of that type (it then clearly means one of them): otherwise it is an error, as in
 * the reference validator. References to types it carries none of may point to a server and are
 * left alone. A `urn:uuid:`/`urn:oid:` reference nothing carries is a warning, as in Bundles.
 * Carried resources are known by `Type/id`, by the parameters-fullUrl extension, and by the
 * entries of carried Bundles.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../../outcomes';
import { references } from './bundle-references';

const FULL_URL_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/parameters-fullUrl';
const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

interface Carried {
  keys: Set<string>;
  types: Set<string>;
  fullUrls: Set<string>;
  /** Where references are looked for: carried resources (not Bundles: they check their own) and valueReferences. */
  sources: { value: unknown; path: string }[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function noteResource(resource: Json, carried: Carried): void {
  if (typeof resource.resourceType !== 'string') return;
  carried.types.add(resource.resourceType);
  if (typeof resource.id === 'string') carried.keys.add(`${resource.resourceType}/${resource.id}`);
}

function collect(parameters: unknown, path: string, carried: Carried, depth = 0): void {
  if (!Array.isArray(parameters) || depth > 20) return;
  parameters.forEach((parameter, i) => {
    if (!isObject(parameter)) return;
    const at = `${path}[${i}]`;
    const extensions = Array.isArray(parameter.extension) ? parameter.extension.filter(isObject) : [];
    for (const e of extensions) if (e.url === FULL_URL_EXTENSION && typeof e.valueUri === 'string') carried.fullUrls.add(e.valueUri);
    if (isObject(parameter.valueReference)) carried.sources.push({ value: parameter.valueReference, path: `${at}.value.ofType(Reference)` });
    const resource = parameter.resource;
    if (isObject(resource)) {
      noteResource(resource, carried);
      if (resource.resourceType === 'Bundle') {
        for (const entry of Array.isArray(resource.entry) ? resource.entry.filter(isObject) : []) {
          if (typeof entry.fullUrl === 'string') carried.fullUrls.add(entry.fullUrl);
          if (isObject(entry.resource)) noteResource(entry.resource, carried);
        }
      } else {
        carried.sources.push({ value: resource, path: `${at}.resource.ofType(${String(resource.resourceType)})` });
      }
    }
    collect(parameter.part, `${at}.part`, carried, depth + 1);
  });
}

export function parametersReferenceIssues(parameters: Json, expression: string): OperationOutcomeIssue[] {
  const carried: Carried = { keys: new Set(), types: new Set(), fullUrls: new Set(), sources: [] };
  collect(parameters.parameter, `${expression}.parameter`, carried);
  const issues: OperationOutcomeIssue[] = [];
  for (const source of carried.sources) {
    const found: { reference: string; path: string }[] = [];
    references(source.value, source.path, found);
    for (const { reference, path } of found) {
      if (/^urn:(uuid|oid):/.test(reference)) {
        if (!carried.fullUrls.has(reference)) issues.push(issue('not-found', `Can't find '${reference.slice(0, 120)}' among the resources of this Parameters`, path, 'warning'));
        continue;
      }
      const match = RELATIVE.exec(reference);
      if (!match || !carried.types.has(match[1]!) || carried.keys.has(`${match[1]}/${match[2]}`)) continue;
      issues.push(issue('not-found', `Unable to resolve resource with reference '${reference.slice(0, 120)}': this Parameters carries ${match[1]} resources but not that one`, path));
    }
  }
  return issues;
}
