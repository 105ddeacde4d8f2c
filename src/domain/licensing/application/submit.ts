/**
 * `$submit` (Task instance, profiles/OperationDefinition-submit.json): the applicant (or an
 * officer) hands in a draft. Every document required for the professional type must be linked
 * and in date; otherwise 422 with one issue per missing or expired document. Then the Task is
 * `requested` with business status `submitted`, and claims the license-application profile so
 * the profile's rules (one professional type past draft) hold from now on.
 */
import type { OperationDefinition, Task } from '@medplum/fhirtypes';
import { forbidden } from '../../../fhir/access-guard';
import type { OperationRegistry } from '../../../fhir/operations/registry';
import { LICENSE_APPLICATION_PROFILE, today } from '../license';
import { readApplication, requireStatus, unprocessable } from './application';
import { currentCaller } from './caller';
import { applicationDocuments } from './documents';
import { professionalType } from './license-number';
import { requiredDocuments, submissionProblems } from './required-documents';
import { documentProblemsError, readTask, saveOver } from './tasks';

export function registerSubmit(registry: OperationRegistry, definition: OperationDefinition): void {
  registry.register(definition, async ({ ctx, id }) => {
    const caller = currentCaller();
    if (caller.kind === 'other') throw forbidden('$submit is for the applicant or a registry officer');
    const { resource: task, versionId } = await readTask(ctx.service, id!);
    const application = readApplication(task);
    if (caller.kind === 'applicant' && caller.practitioner !== application.practitioner) throw forbidden(`Task/${task.id} is not your application`);
    requireStatus(task, ['draft'], 'submit');
    if (!application.professionalType) throw unprocessable('The application names no professional type (input professional-type)', 'required');
    if (!professionalType(application.professionalType)) throw unprocessable(`'${application.professionalType.slice(0, 60)}' is not a professional type the registry licenses`, 'invalid');
    const documents = await applicationDocuments(ctx.service, task.id, application.practitioner);
    const problems = submissionProblems(requiredDocuments(application.professionalType), documents, today());
    if (problems.length > 0) throw documentProblemsError(problems);
    const profiles = task.meta?.profile ?? [];
    const submitted: Task & { id: string } = {
      ...task,
      meta: { ...task.meta, profile: profiles.includes(LICENSE_APPLICATION_PROFILE) ? profiles : [...profiles, LICENSE_APPLICATION_PROFILE] },
      status: 'requested',
      businessStatus: { text: 'submitted' },
      lastModified: new Date().toISOString(),
    };
    return saveOver(ctx.service, submitted, versionId);
  });
}
