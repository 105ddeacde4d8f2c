/**
 * `$approve` (Task instance, officers): every required document must be verified (else 422, one
 * issue per document); then a license number is reserved in its series (license type and year
 * of approval) and the license issued in one store transaction (issue-license.ts). If anything
 * fails the transaction is undone and the number released, so no number is skipped.
 */
import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationRegistry } from '../../../fhir/operations/registry';
import { FhirError, issue } from '../../../fhir/outcomes';
import { asSystem } from '../../../auth/request-access';
import { REGISTRY_ORGANIZATION_REFERENCE, today } from '../license';
import { ensureRegistryOrganization } from './registry-organization';
import { readApplication, requireStatus, unprocessable } from './application';
import { officerReference, requireOfficer } from './caller';
import { applicationDocuments } from './documents';
import { issueLicense } from './issue-license';
import { formatLicenseNumber, licenseSeries, professionalType } from './license-number';
import { licenseEnd } from './license-term';
import { LicenseNumbersBusy, licenseNumberStoreOf } from './number-store';
import { approvalProblems, requiredDocuments } from './required-documents';
import { documentProblemsError, readTask } from './tasks';

export function registerApprove(registry: OperationRegistry, definition: OperationDefinition): void {
  registry.register(definition, async ({ ctx, id }) => {
    const caller = requireOfficer('approve');
    const { resource: task, versionId } = await readTask(ctx.service, id!);
    const application = readApplication(task);
    requireStatus(task, ['in-progress'], 'approve');
    const type = application.professionalType ? professionalType(application.professionalType) : undefined;
    if (!type) throw unprocessable('The application names no professional type the registry licenses');
    const now = new Date();
    const start = today(now);
    const problems = approvalProblems(requiredDocuments(type.code), await applicationDocuments(ctx.service, task.id, application.practitioner), start);
    if (problems.length > 0) throw documentProblemsError(problems);
    const year = now.getUTCFullYear();
    const end = licenseEnd(start, ctx.config.registryLicenseTermMonths);
    const approver = officerReference(caller) ?? { reference: REGISTRY_ORGANIZATION_REFERENCE };
    // The issuer of every license exists from the first one on (a clinic-only server never has it).
    await asSystem(() => ensureRegistryOrganization(ctx.service, ctx.config.registryName));
    try {
      return await licenseNumberStoreOf(ctx.service).allocate(licenseSeries(type.licenseType, year), `Task/${task.id}`, (sequence) => {
        const number = formatLicenseNumber(ctx.config.registryLicensePrefix, type.licenseType, year, sequence);
        return ctx.service.transaction(() => issueLicense(ctx.service, { application, taskVersion: versionId, type, number, start, end, approver }));
      });
    } catch (err) {
      if (err instanceof LicenseNumbersBusy) throw new FhirError([issue('transient', `${err.message}; try again`)], 409);
      if (err instanceof RangeError) throw unprocessable(`No license number is left in ${type.licenseType}-${year}: ${err.message}`);
      throw err;
    }
  });
}
