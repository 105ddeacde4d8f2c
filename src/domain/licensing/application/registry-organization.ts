/** The registry's own Organization, issuer of every license: created by the first document check or approval when missing (idempotent; concurrent approvals may race, the update-as-create of one id makes one resource). */
import type { Organization } from '@medplum/fhirtypes';
import type { ResourceService } from '../../../fhir/resource-service';
import { REGISTRY_ORGANIZATION_ID } from '../license';

export async function ensureRegistryOrganization(service: Pick<ResourceService, 'read' | 'update'>, name: string): Promise<boolean> {
  const existing = await service.read('Organization', REGISTRY_ORGANIZATION_ID).catch((err: { status?: number }) => {
    if (err.status === 404 || err.status === 410) return undefined;
    throw err;
  });
  if (existing) return false;
  const organization: Organization & { id: string } = { resourceType: 'Organization', id: REGISTRY_ORGANIZATION_ID, active: true, name };
  await service.update('Organization', REGISTRY_ORGANIZATION_ID, organization);
  return true;
}
