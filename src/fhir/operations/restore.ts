/**
 * `$restore` (ours, profiles/OperationDefinition-restore.json): a deleted resource comes back as
 * a new version holding its last content before the deletion. History keeps every version, the
 * deletion included, so nothing is rewritten. Admins only, whatever the token's scopes.
 */
import type { OperationDefinition, Resource } from '@medplum/fhirtypes';
import { currentAccess } from '../../auth/request-access';
import { forbidden } from '../access-guard';
import { errors } from '../outcomes';
import type { OperationRegistry } from './registry';

export function registerRestoreOperation(registry: OperationRegistry, definition: OperationDefinition): void {
  registry.register(definition, async ({ ctx, resourceType, id }) => {
    const access = currentAccess();
    if (access?.mode === 'token' && (access.auth.kind !== 'user' || access.auth.role !== 'admin')) throw forbidden('$restore is for admins');
    const type = resourceType!;
    const [latest, previous] = (await ctx.service.history({ type, id: id!, count: 2 })).versions;
    if (!latest) throw errors.notFound(`${type}/${id} is not known`);
    if (!latest.deleted) throw errors.conflict(`${type}/${id} is not deleted; there is nothing to restore`);
    if (!previous?.resource) throw errors.notFound(`${type}/${id} has no version to restore`);
    // Without the server-owned meta, and without meta at all when nothing else was in it (no empty objects).
    const { versionId: _v, lastUpdated: _l, ...labels } = previous.resource.meta ?? {};
    const restored = { ...previous.resource, id: id! } as Resource & { id: string };
    if (Object.keys(labels).length > 0) restored.meta = labels;
    else delete restored.meta;
    // An update of a deleted resource writes its next version (If-Match cannot name a deletion).
    const result = await ctx.service.update(type, id!, restored);
    return (await ctx.service.vread(type, id!, String(result.version.versionId))).resource;
  });
}
