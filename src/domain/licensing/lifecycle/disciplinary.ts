/**
 * `$add-disciplinary-action` on a Practitioner: records a Basic of the disciplinary-action
 * profile (date, action type, summary, public or not; subject the Practitioner) with its
 * Provenance, and answers with the created Basic. It does not change the license: a suspension
 * or revocation decided in the proceedings is its own operation.
 */
import type { Basic, CodeSystem, Resource } from '@medplum/fhirtypes';
import { asSystem, currentAccess } from '../../../auth/request-access';
import type { OperationHandler } from '../../../fhir/operations/registry';
import { errors } from '../../../fhir/outcomes';
import { localTerminology } from '../../../terminology/local-terminology';
import { DISCIPLINARY_ACTION_PROFILE, DISCIPLINARY_ACTION_TYPE_SYSTEM, REGISTRY_ORGANIZATION_REFERENCE, REGISTRY_RECORD_SYSTEM, today as todayOf } from '../license';
import { optionalBoolean, optionalDate, requiredText } from './inputs';
import { assertOfficer, officerReference } from './officer';
import { lifecycleProvenance } from './records';

const BASE = 'https://baobab.health/fhir/StructureDefinition';
export const DISCIPLINARY_TYPE_EXTENSION = `${BASE}/disciplinary-action-type`;
export const DISCIPLINARY_SUMMARY_EXTENSION = `${BASE}/disciplinary-summary`;
export const DISCIPLINARY_PUBLIC_EXTENSION = `${BASE}/disciplinary-public`;

export interface DisciplinaryInput {
  practitionerId: string;
  date: string;
  action: { code: string; display?: string };
  summary: string;
  public: boolean;
  author: Basic['author'];
}

export function disciplinaryAction(input: DisciplinaryInput): Basic {
  return {
    resourceType: 'Basic',
    meta: { profile: [DISCIPLINARY_ACTION_PROFILE] },
    extension: [
      { url: DISCIPLINARY_TYPE_EXTENSION, valueCodeableConcept: { coding: [{ system: DISCIPLINARY_ACTION_TYPE_SYSTEM, code: input.action.code, ...(input.action.display ? { display: input.action.display } : {}) }] } },
      { url: DISCIPLINARY_SUMMARY_EXTENSION, valueString: input.summary },
      { url: DISCIPLINARY_PUBLIC_EXTENSION, valueBoolean: input.public },
    ],
    code: { coding: [{ system: REGISTRY_RECORD_SYSTEM, code: 'disciplinary-action' }] },
    subject: { reference: `Practitioner/${input.practitionerId}` },
    created: input.date,
    ...(input.author ? { author: input.author } : {}),
  };
}

/** The action types of the CodeSystem (terminology/CodeSystem-disciplinary-action-type.json). */
function actionType(code: string): { code: string; display?: string } {
  const system = localTerminology().find('CodeSystem', DISCIPLINARY_ACTION_TYPE_SYSTEM) as CodeSystem | undefined;
  const concept = system?.concept?.find((c) => c.code === code);
  if (!concept) {
    const known = (system?.concept ?? []).map((c) => c.code).join(', ');
    throw errors.invalid(`Parameter 'action' must be a disciplinary action type (${known}), not '${code.slice(0, 40)}'`, 'action');
  }
  return { code, ...(concept.display ? { display: concept.display } : {}) };
}

export function addDisciplinaryAction(code: string): OperationHandler {
  return async ({ ctx, id, params }) => {
    const access = currentAccess();
    assertOfficer(access, code);
    const now = new Date();
    const today = todayOf(now);
    const action = actionType(requiredText(params, 'action'));
    const summary = requiredText(params, 'summary');
    const date = optionalDate(params, 'date') ?? today;
    if (date > today) throw errors.invalid(`Parameter 'date' may not be in the future (today is ${today})`, 'date');
    const isPublic = optionalBoolean(params, 'public') ?? false;
    // 404 for an unknown Practitioner, 410 for a deleted one.
    await asSystem(() => ctx.service.read('Practitioner', id!));
    const agent = officerReference(access);
    const author = agent.reference ? { reference: agent.reference } : { reference: REGISTRY_ORGANIZATION_REFERENCE, display: agent.display };
    const basic = disciplinaryAction({ practitionerId: id!, date, action, summary, public: isPublic, author });
    const stored = await asSystem(() => ctx.service.create('Basic', basic));
    const provenance = lifecycleProvenance({ target: `Basic/${stored.id}`, versionId: stored.versionId, activity: code, agent, reason: summary, recorded: now });
    await asSystem(() => ctx.service.create('Provenance', provenance));
    const created = stored.resource ?? (await asSystem(() => ctx.service.vread('Basic', stored.id, String(stored.versionId)))).resource;
    return created as Resource;
  };
}
