/**
 * The documents of an application and their checks. A document belongs to an application when
 * its DocumentReference has `context.related` = the Task, `subject` = the applicant's
 * Practitioner and `status` current; its type is a `type.coding` of the document-type
 * CodeSystem, its expiry `context.period.end`, its number `masterIdentifier`, its issuing
 * authority `authenticator` (or `custodian`), its content an attachment (a Binary whose
 * securityContext is the Practitioner). A check is a VerificationResult whose `target` is the
 * DocumentReference; the latest (by statusDate) counts: validated = verified, val-fail = rejected.
 */
import type { DocumentReference, VerificationResult } from '@medplum/fhirtypes';
import { asSystem } from '../../../auth/request-access';
import type { ResourceService } from '../../../fhir/resource-service';
import { DOCUMENT_TYPE_SYSTEM } from '../license';
import type { ApplicationDocument } from './required-documents';

/** More documents than any application needs; bounds the reads. */
const MAX_DOCUMENTS = 200;

export type Resources = Pick<ResourceService, 'readCurrent'>;

export function documentType(doc: DocumentReference): string | undefined {
  return doc.type?.coding?.find((c) => c.system === DOCUMENT_TYPE_SYSTEM)?.code;
}

export function linkedTask(doc: DocumentReference): string | undefined {
  return doc.context?.related?.find((r) => r.reference?.startsWith('Task/'))?.reference;
}

/** The verdict of the latest check among `results` (undefined when none). */
export function latestVerdict(results: readonly VerificationResult[]): ApplicationDocument['verification'] {
  const latest = [...results].sort((a, b) => (a.statusDate ?? '').localeCompare(b.statusDate ?? '')).at(-1);
  if (latest?.status === 'validated') return 'verified';
  if (latest?.status === 'val-fail') return 'rejected';
  return undefined;
}

/** The application's documents with their latest verdicts (read as the server: the caller was checked already). */
export async function applicationDocuments(service: Resources, taskId: string, practitioner: string): Promise<ApplicationDocument[]> {
  return asSystem(async () => {
    const found = (await service.readCurrent('DocumentReference', [{ index: 'ref', p: 'related', values: [{ r: `Task/${taskId}` }] }], MAX_DOCUMENTS)) as DocumentReference[];
    const docs = found.filter((d) => d.subject?.reference === practitioner && d.status === 'current' && documentType(d) !== undefined);
    if (docs.length === 0) return [];
    const targets = docs.map((d) => ({ r: `DocumentReference/${d.id}` }));
    const checks = (await service.readCurrent('VerificationResult', [{ index: 'ref', p: 'target', values: targets }], MAX_DOCUMENTS * 10)) as VerificationResult[];
    return docs.map((d) => {
      const reference = `DocumentReference/${d.id}`;
      const verification = latestVerdict(checks.filter((c) => c.target?.some((t) => t.reference === reference)));
      const expires = d.context?.period?.end?.slice(0, 10);
      return { reference, type: documentType(d)!, ...(expires ? { expires } : {}), ...(verification ? { verification } : {}) };
    });
  });
}
