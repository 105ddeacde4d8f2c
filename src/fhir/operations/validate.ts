/**
 * $validate (resource-operation-validate.html) at type and instance level: base schema issues
 * plus profile issues (the type's base StructureDefinition and the `profile` parameter), always
 * 200 with an OperationOutcome. The body may be a Parameters resource or the resource itself
 * (then `mode` and `profile` come from the query string).
 */
import type { OperationDefinition, OperationOutcome, OperationOutcomeIssue, Parameters, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { errors, issue } from '../outcomes';
import type { Query } from '../rest/types';
import { createSchemaValidator } from '../validation/schema';
import { storedResourceIssues } from '../validation/stored-rules';
import { isMissingElementIssue } from '../validation/schema-issues';
import { profileValidatorFor } from '../validation/profile';
import { paramsFromBody, paramsFromQuery } from './parameters';
import type { OperationParams } from './parameters';
import type { OperationInvocation, OperationRegistry } from './registry';

const MODES = new Set(['create', 'update', 'delete']);
const INPUTS = new Set(['resource', 'mode', 'profile']);

/** A Parameters body carries the operation's inputs unless we validate a Parameters resource itself. */
function isOperationParameters(body: Resource): body is Parameters {
  if (body.resourceType !== 'Parameters') return false;
  const names = (body.parameter ?? []).map((p) => p.name ?? '');
  return names.length > 0 && names.every((name) => INPUTS.has(name));
}

export function validateInput(body: Resource, query: Query, definition: OperationDefinition): OperationParams {
  const fromQuery = paramsFromQuery(definition, query);
  if (isOperationParameters(body)) {
    const params = paramsFromBody(definition, body);
    for (const [name, values] of fromQuery) if (!params.has(name)) params.set(name, values);
    return params;
  }
  if (fromQuery.has('resource')) throw errors.invalid("Give the resource either as the body or as the 'resource' parameter");
  fromQuery.set('resource', [body]);
  return fromQuery;
}

function outcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.length > 0 ? issues : [issue('informational', 'No issues detected during validation', undefined, 'information')],
  };
}

function single<T>(params: OperationParams, name: string): T | undefined {
  return params.get(name)?.[0] as T | undefined;
}

/** An extension definition stored on this server as a StructureDefinition with a snapshot. */
async function storedExtension(invocation: OperationInvocation, url: string): Promise<StructureDefinition | undefined> {
  const stored = (await invocation.ctx.service.readCurrent('StructureDefinition', [{ index: 'uri', p: 'url', match: 'eq', values: [url] }], 1)) as StructureDefinition[];
  return stored[0]?.snapshot?.element?.length ? stored[0] : undefined;
}

/** A profile stored on this server as a StructureDefinition (it must carry a snapshot). */
async function storedProfile(invocation: OperationInvocation, canonical: string): Promise<StructureDefinition> {
  const url = canonical.replace(/\|.*$/, '');
  const stored = (await invocation.ctx.service.readCurrent('StructureDefinition', [{ index: 'uri', p: 'url', match: 'eq', values: [url] }], 2)) as StructureDefinition[];
  const sd = stored[0];
  if (!sd) throw errors.notFound(`Profile '${canonical.slice(0, 200)}' is not known to this server`);
  if (!sd.snapshot?.element?.length) throw errors.notSupported(`Profile '${canonical.slice(0, 200)}' has no snapshot; this server validates against snapshots only`, 400);
  return sd;
}

async function validateOperation(invocation: OperationInvocation): Promise<OperationOutcome> {
  const { ctx, level, resourceType, id, params } = invocation;
  const type = resourceType!;
  const mode = single<string>(params, 'mode');
  if (mode !== undefined && !MODES.has(mode)) throw errors.invalid(`Unknown mode '${mode.slice(0, 40)}': expected create, update or delete`, 'mode');
  const profile = single<string>(params, 'profile');
  const validator = profileValidatorFor(ctx.definitions);
  const profileDefinition = profile === undefined || validator.knows(profile) ? undefined : await storedProfile(invocation, profile);
  if (mode === 'delete') {
    if (level !== 'instance') throw errors.invalid('mode=delete validates the deletion of an existing resource: invoke $validate on [type]/[id]');
    await ctx.service.read(type, id!); // 404 or 410 when there is nothing to delete
    return outcome([]);
  }
  let resource = single<unknown>(params, 'resource');
  if (resource === undefined) {
    if (level !== 'instance') throw errors.invalid("$validate needs the resource: the body or the 'resource' parameter");
    resource = (await ctx.service.read(type, id!)).resource;
  }
  const schemaIssues = createSchemaValidator().validate(resource);
  // A resource of the wrong shape stops here; one that only misses mandatory elements is also
  // checked against its profile, as the reference validator does (the walk reports the same
  // missing elements in the same words, so those are not repeated).
  if (!schemaIssues.every(isMissingElementIssue)) return outcome(schemaIssues);
  const checked = resource as Resource;
  const issues: OperationOutcomeIssue[] = [...schemaIssues, ...storedResourceIssues(checked as unknown as Record<string, unknown>, checked.resourceType, { narratives: false })];
  if (checked.resourceType !== type) {
    issues.push(issue('invalid', `Resource type '${checked.resourceType}' does not match '${type}' in the URL`, 'resourceType'));
  }
  if (mode === 'update') {
    if (checked.id === undefined) issues.push(issue('required', 'mode=update needs a resource with an id', `${type}.id`));
    else if (id !== undefined && checked.id !== id) issues.push(issue('invalid', `Resource id '${checked.id}' does not match '${id}' in the URL`, `${type}.id`));
    if (level === 'instance') await ctx.service.read(type, id!); // the stored resource to update must exist
  }
  if (mode === 'create' && checked.id !== undefined && level === 'type') {
    issues.push(issue('informational', 'The id of a resource given for create is ignored: the server assigns one', `${type}.id`, 'information'));
  }
  const reported = new Set(schemaIssues.map((i) => `${i.diagnostics}@${i.expression?.[0]}`));
  const profileIssues = await validator.validate(checked, {
    ...(profile ? { profile } : {}),
    ...(profileDefinition ? { profileDefinition } : {}),
    terminology: ctx.terminology,
    extensionPolicy: { unknown: ctx.config.validateUnknownExtensions, acceptedPrefixes: ctx.config.validateExtensionDomains },
    resolveExtension: (url) => storedExtension(invocation, url),
  });
  issues.push(...profileIssues.filter((i) => !reported.has(`${i.diagnostics}@${i.expression?.[0]}`)));
  return outcome(issues);
}

export function registerValidateOperation(registry: OperationRegistry, definitions: readonly OperationDefinition[]): void {
  const definition = definitions.find((d) => d.id === 'Resource-validate');
  if (!definition) throw new Error('OperationDefinition Resource-validate is not loaded');
  registry.register(definition, validateOperation, { inputFromBody: validateInput });
}
