/**
 * `$reindex` (our operation; HAPI FHIR has one of the same name): POST only, at system, type or
 * instance level. Instance: done at once (200). Type and system: a background job (202 Accepted
 * with Content-Location naming the Task that reports progress; search/reindex.ts).
 */
import type { OperationDefinition } from '@medplum/fhirtypes';
import { operationOutcome, issue } from '../outcomes';
import { reindexOne, startReindex } from '../search/reindex';
import type { OperationRegistry } from './registry';

export function registerReindexOperation(registry: OperationRegistry, definition: OperationDefinition): void {
  registry.register(definition, async ({ ctx, req, level, resourceType, id }) => {
    if (level === 'instance') {
      const count = await reindexOne(ctx.service, resourceType!, id!);
      return operationOutcome([issue('informational', `Reindexed ${count} resource`, undefined, 'information')]);
    }
    const types = level === 'type' ? [resourceType!] : ctx.definitions.resourceTypes;
    const { task } = ctx.indexes ? await ctx.indexes.start(types, req.log) : await startReindex(ctx.service, types, req.log);
    const location = `${ctx.config.baseUrl}/Task/${task.id}`;
    return {
      status: 202,
      headers: { 'Content-Location': location },
      resource: operationOutcome([issue('informational', `Reindexing started; follow its progress at ${location}`, undefined, 'information')]),
    };
  }, { background: ['system', 'type'] });
}
