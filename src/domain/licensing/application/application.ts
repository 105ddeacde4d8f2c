/**
 * A license application as the operations see it: a Task of our license-application profile
 * (focus = the applicant's Practitioner, code registry-task#license-application) and its inputs
 * (application-input CodeSystem): `professional-type` (valueCodeableConcept in the
 * professional-type system, or valueCode), `specialization` (valueCodeableConcept),
 * `council-registration` (valueIdentifier, system and value) and `state-of-practice`
 * (valueCodeableConcept in urn:iso:std:iso:3166:-2, or valueCode/valueString: an ISO 3166-2 code).
 */
import type { CodeableConcept, Identifier, Task, TaskInput } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../../fhir/outcomes';
import { APPLICATION_INPUT_SYSTEM, JURISDICTION_SYSTEM, PROFESSIONAL_TYPE_SYSTEM, REGISTRY_TASK_SYSTEM } from '../license';

export interface Application {
  task: Task & { id: string };
  /** `Practitioner/<id>`. */
  practitioner: string;
  professionalType?: string;
  specialization?: CodeableConcept;
  /** ISO 3166-2 code, e.g. NG-LA. */
  state?: string;
  councilRegistrations: Identifier[];
}

const PRACTITIONER = /^Practitioner\/[A-Za-z0-9\-.]{1,64}$/;
const ISO_3166_2 = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;

export const unprocessable = (text: string, code: 'business-rule' | 'invalid' | 'required' = 'business-rule') => new FhirError([issue(code, text)], 422);

export function isLicenseApplication(task: Task): boolean {
  return task.code?.coding?.some((c) => c.system === REGISTRY_TASK_SYSTEM && c.code === 'license-application') === true;
}

function inputsOf(task: Task, code: string): TaskInput[] {
  return (task.input ?? []).filter((i) => i.type?.coding?.some((c) => c.system === APPLICATION_INPUT_SYSTEM && c.code === code));
}

function codeOf(input: TaskInput | undefined, system: string): string | undefined {
  if (!input) return undefined;
  return input.valueCodeableConcept?.coding?.find((c) => c.system === system)?.code ?? input.valueCode ?? input.valueString;
}

/** The application a Task holds; 422 when the Task is not one. */
export function readApplication(task: Task & { id: string }): Application {
  if (!isLicenseApplication(task)) throw unprocessable(`Task/${task.id} is not a license application (code ${REGISTRY_TASK_SYSTEM}|license-application)`);
  const practitioner = task.focus?.reference;
  if (!practitioner || !PRACTITIONER.test(practitioner)) throw unprocessable(`Task/${task.id} has no focus Practitioner/<id> (the applicant)`);
  const types = inputsOf(task, 'professional-type');
  if (types.length > 1) throw unprocessable(`Task/${task.id} names ${types.length} professional types; an application is for one`);
  const state = codeOf(inputsOf(task, 'state-of-practice')[0], JURISDICTION_SYSTEM);
  if (state !== undefined && !ISO_3166_2.test(state)) throw unprocessable(`state-of-practice '${state.slice(0, 20)}' is not an ISO 3166-2 code (e.g. NG-LA)`, 'invalid');
  const professionalType = codeOf(types[0], PROFESSIONAL_TYPE_SYSTEM);
  const specialization = inputsOf(task, 'specialization')[0]?.valueCodeableConcept;
  return {
    task,
    practitioner,
    ...(professionalType ? { professionalType } : {}),
    ...(specialization ? { specialization } : {}),
    ...(state ? { state } : {}),
    councilRegistrations: inputsOf(task, 'council-registration').flatMap((i) => (i.valueIdentifier?.system && i.valueIdentifier.value ? [i.valueIdentifier] : [])),
  };
}

/** 409 unless the Task is in one of `statuses` (status moves only through the operations). */
export function requireStatus(task: Task & { id: string }, statuses: ReadonlyArray<Task['status']>, operation: string): void {
  if (!statuses.includes(task.status)) {
    throw new FhirError([issue('conflict', `$${operation} needs the application in status ${statuses.join(' or ')}; Task/${task.id} is ${task.status}`)], 409);
  }
}
