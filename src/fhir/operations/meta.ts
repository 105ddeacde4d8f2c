/**
 * $meta, $meta-add and $meta-delete (resource-operations.html#meta): profiles,
 * tags and security labels, changed in place without creating a new version.
 */
import type { Coding, Meta, OperationDefinition, Parameters } from '@medplum/fhirtypes';
import { errors } from '../outcomes';
import type { OperationInvocation, OperationRegistry } from './registry';

function metaResult(meta: Meta): Parameters {
  return { resourceType: 'Parameters', parameter: [{ name: 'return', valueMeta: meta }] };
}

function sameCoding(a: Coding, b: Coding): boolean {
  return a.system === b.system && a.code === b.code;
}

function inputMeta(invocation: OperationInvocation): Meta {
  const meta = invocation.params.get('meta')?.[0] as Meta | undefined;
  if (!meta) throw errors.invalid(`$meta-add and $meta-delete need a 'meta' parameter`);
  return meta;
}

async function versionOf(invocation: OperationInvocation): Promise<number> {
  const { ctx, resourceType, id, versionId } = invocation;
  const version = versionId
    ? await ctx.service.vread(resourceType!, id!, versionId)
    : await ctx.service.read(resourceType!, id!);
  return version.versionId;
}

/** Meta without versionId/lastUpdated: those describe the version, not what $meta reports. */
function labels(meta: Meta | undefined): Meta {
  const result: Meta = {};
  if (meta?.profile?.length) result.profile = meta.profile;
  if (meta?.security?.length) result.security = meta.security;
  if (meta?.tag?.length) result.tag = meta.tag;
  return result;
}

async function metaOperation(invocation: OperationInvocation): Promise<Parameters> {
  const { ctx, level, resourceType, id, versionId } = invocation;
  if (level === 'instance') {
    const version = versionId
      ? await ctx.service.vread(resourceType!, id!, versionId)
      : await ctx.service.read(resourceType!, id!);
    return metaResult(labels(version.resource.meta));
  }
  const types = level === 'type' ? [resourceType!] : ctx.definitions.resourceTypes;
  return metaResult(await ctx.service.metaInUse(types));
}

function addLabels(meta: Meta, add: Meta): Meta {
  const profile = [...(meta.profile ?? [])];
  for (const p of add.profile ?? []) if (!profile.includes(p)) profile.push(p);
  const merge = (current: Coding[] = [], extra: Coding[] = []) => {
    const result = [...current];
    for (const coding of extra) if (!result.some((c) => sameCoding(c, coding))) result.push(coding);
    return result;
  };
  return { ...meta, profile, tag: merge(meta.tag, add.tag), security: merge(meta.security, add.security) };
}

function removeLabels(meta: Meta, remove: Meta): Meta {
  const keep = (current: Coding[] = [], gone: Coding[] = []) => current.filter((c) => !gone.some((g) => sameCoding(c, g)));
  return {
    ...meta,
    profile: (meta.profile ?? []).filter((p) => !(remove.profile ?? []).includes(p)),
    tag: keep(meta.tag, remove.tag),
    security: keep(meta.security, remove.security),
  };
}

async function change(invocation: OperationInvocation, apply: (meta: Meta, input: Meta) => Meta): Promise<Parameters> {
  const input = inputMeta(invocation);
  const { ctx, resourceType, id } = invocation;
  const versionId = await versionOf(invocation);
  const changed = await ctx.service.changeMeta(resourceType!, id!, versionId, (meta) => apply(meta, input));
  return metaResult(labels(changed.resource?.meta));
}

export function registerMetaOperations(registry: OperationRegistry, definitions: readonly OperationDefinition[]): void {
  const find = (id: string): OperationDefinition => {
    const definition = definitions.find((d) => d.id === id);
    if (!definition) throw new Error(`OperationDefinition ${id} is not loaded`);
    return definition;
  };
  const versioned = { versioned: true };
  registry.register(find('Resource-meta'), metaOperation, versioned);
  // The HL7 definitions leave affectsState unset; these two do change state, so POST only.
  registry.register({ ...find('Resource-meta-add'), affectsState: true }, (invocation) => change(invocation, addLabels), versioned);
  registry.register({ ...find('Resource-meta-delete'), affectsState: true }, (invocation) => change(invocation, removeLabels), versioned);
}
