/**
 * `$verify` (DocumentReference instance): an officer records its check of one document of an
 * application under review as a VerificationResult: target = the DocumentReference, status
 * `validated` (result verified) or `val-fail` (result rejected), statusDate now, the note as
 * validationProcess.text, validator = the registry Organization, attestation.who = the officer.
 * Checks are never edited: a new one supersedes (the latest statusDate counts).
 */
import type { DocumentReference, OperationDefinition, VerificationResult } from '@medplum/fhirtypes';
import { asSystem } from '../../../auth/request-access';
import type { OperationRegistry } from '../../../fhir/operations/registry';
import { errors } from '../../../fhir/outcomes';
import { REGISTRY_ORGANIZATION_REFERENCE, today } from '../license';
import { readApplication, requireStatus, unprocessable } from './application';
import { officerReference, requireOfficer } from './caller';
import { documentType, linkedTask } from './documents';
import { readAs, readTask } from './tasks';
import { ensureRegistryOrganization } from './registry-organization';

const MAX_NOTE = 2000;
const STATUS_OF = { verified: 'validated', rejected: 'val-fail' } as const;

export function registerVerify(registry: OperationRegistry, definition: OperationDefinition): void {
  registry.register(definition, async ({ ctx, id, params }) => {
    const caller = requireOfficer('verify');
    const result = params.get('result')?.[0];
    if (result !== 'verified' && result !== 'rejected') throw errors.invalid("Parameter 'result' must be verified or rejected", 'result');
    const note = params.get('note')?.[0];
    if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE)) throw errors.invalid(`Parameter 'note' must be a text of at most ${MAX_NOTE} characters`, 'note');
    const { resource: doc } = await readAs<DocumentReference>(ctx.service, 'DocumentReference', id!);
    const task = linkedTask(doc);
    if (!documentType(doc) || !task) throw unprocessable(`DocumentReference/${doc.id} is not an application document (a document-type and context.related Task)`);
    const application = readApplication((await readTask(ctx.service, task.slice('Task/'.length))).resource);
    requireStatus(application.task, ['in-progress'], 'verify');
    if (doc.subject?.reference !== application.practitioner) throw unprocessable(`DocumentReference/${doc.id} is not about the applicant of ${task}`);
    const officer = officerReference(caller);
    await asSystem(() => ensureRegistryOrganization(ctx.service, ctx.config.registryName)); // the validator named below
    const check: VerificationResult = {
      resourceType: 'VerificationResult',
      target: [{ reference: `DocumentReference/${doc.id}` }],
      status: STATUS_OF[result],
      statusDate: new Date().toISOString(),
      ...(note?.trim() ? { validationProcess: [{ text: note.trim() }] } : {}),
      validator: [{ organization: { reference: REGISTRY_ORGANIZATION_REFERENCE } }],
      ...(officer ? { attestation: { who: officer, date: today() } } : {}),
    };
    const stored = await asSystem(() => ctx.service.create('VerificationResult', check));
    return (await readAs<VerificationResult>(ctx.service, 'VerificationResult', stored.id)).resource;
  });
}
