/**
 * Reading and writing the application's resources as the server (asSystem): the operations
 * check the caller themselves. Writes are conditioned on the version read, so two concurrent
 * transitions of one Task cannot both win (the loser gets 409).
 */
import type { OperationOutcomeIssue, Resource, Task } from '@medplum/fhirtypes';
import { asSystem } from '../../../auth/request-access';
import { FhirError, issue } from '../../../fhir/outcomes';
import type { ResourceService } from '../../../fhir/resource-service';
import { describeProblem } from './required-documents';
import type { DocumentProblem } from './required-documents';
import { DOCUMENT_TYPE_SYSTEM } from '../license';

export type Service = Pick<ResourceService, 'read' | 'vread' | 'update' | 'create' | 'readCurrent' | 'transaction'>;

export async function readAs<T extends Resource>(service: Service, type: T['resourceType'], id: string): Promise<{ resource: T & { id: string }; versionId: number }> {
  const stored = await asSystem(() => service.read(type, id));
  return { resource: stored.resource as T & { id: string }, versionId: stored.versionId };
}

export async function readTask(service: Service, id: string) {
  return readAs<Task>(service, 'Task', id);
}

/** The body of a write: the server owns meta.versionId and meta.lastUpdated. */
function withoutVersion<T extends Resource>(resource: T): T {
  const { meta, ...rest } = resource;
  const { versionId, lastUpdated, ...kept } = meta ?? {};
  void versionId;
  void lastUpdated;
  return (Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest) as T;
}

/** Stores `resource` over version `versionId`; a concurrent change in between is a 409. */
export async function saveOver<T extends Resource & { id: string }>(service: Service, resource: T, versionId: number): Promise<T> {
  try {
    const written = await asSystem(() => service.update(resource.resourceType, resource.id, withoutVersion(resource), { ifMatch: versionId }));
    // The version written, even if another write follows at once.
    return (await asSystem(() => service.vread(resource.resourceType, resource.id, String(written.version.versionId)))).resource as T;
  } catch (err) {
    if (err instanceof FhirError && err.status === 412) {
      throw new FhirError([issue('conflict', `${resource.resourceType}/${resource.id} changed while the operation ran; try again`)], 409);
    }
    throw err;
  }
}

/** 422 listing each problem as its own issue (code `required` for a missing document, else `business-rule`). */
export function documentProblemsError(problems: readonly DocumentProblem[]): FhirError {
  const issues: OperationOutcomeIssue[] = problems.map((p) => ({
    ...issue(p.kind === 'missing' ? 'required' : 'business-rule', describeProblem(p)),
    details: { coding: [{ system: DOCUMENT_TYPE_SYSTEM, code: p.type }], text: p.kind },
  }));
  return new FhirError(issues, 422);
}
