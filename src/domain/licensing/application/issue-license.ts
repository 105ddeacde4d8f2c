/**
 * The writes of an approval (run in one store transaction with the license number reserved):
 * the Practitioner gets the license qualification (license.ts), the registry-practitioner
 * profile, the state of practice on its work address, its council registrations as
 * identifiers, and becomes active; a PractitionerRole of the registry Organization carries the
 * professional type and specialisation; the Task completes with the number as output; a
 * Provenance records who approved what.
 */
import type { Address, Identifier, Organization, Practitioner, PractitionerRole, Provenance, Reference, Task } from '@medplum/fhirtypes';
import { asSystem } from '../../../auth/request-access';
import {
  LICENSE_NUMBER_SYSTEM,
  PROFESSIONAL_TYPE_SYSTEM,
  REGISTRY_ORGANIZATION_REFERENCE,
  REGISTRY_PRACTITIONER_PROFILE,
  licenseQualification,
} from '../license';
import type { Application } from './application';
import type { ProfessionalType } from './license-number';
import type { Service } from './tasks';
import { readAs, saveOver } from './tasks';

export interface Issue {
  application: Application;
  taskVersion: number;
  type: ProfessionalType;
  number: string;
  start: string;
  end: string;
  /** Who approved (the officer, or the registry when trusted). */
  approver: Reference<Practitioner | Organization>;
}

/** The state of practice on the work address (added when there is none). */
function withState(addresses: Address[] | undefined, state: string | undefined): Address[] | undefined {
  if (!state) return addresses;
  const list = addresses ?? [];
  const work = list.findIndex((a) => a.use === 'work');
  if (work < 0) return [...list, { use: 'work', state }];
  return list.map((a, i) => (i === work ? { ...a, state } : a));
}

function withIdentifiers(current: Identifier[] | undefined, added: readonly Identifier[]): Identifier[] | undefined {
  const list = [...(current ?? [])];
  for (const id of added) if (!list.some((c) => c.system === id.system && c.value === id.value)) list.push({ system: id.system, value: id.value });
  return list.length > 0 ? list : undefined;
}

export async function issueLicense(service: Service, issue: Issue): Promise<Task> {
  const { application, type, number, start, end } = issue;
  const practitionerId = application.practitioner.slice('Practitioner/'.length);
  const { resource: practitioner, versionId } = await readAs<Practitioner>(service, 'Practitioner', practitionerId);
  const profiles = practitioner.meta?.profile ?? [];
  const identifiers = withIdentifiers(practitioner.identifier, application.councilRegistrations);
  const addresses = withState(practitioner.address, application.state);
  const licensed: Practitioner & { id: string } = {
    ...practitioner,
    meta: { ...practitioner.meta, profile: profiles.includes(REGISTRY_PRACTITIONER_PROFILE) ? profiles : [...profiles, REGISTRY_PRACTITIONER_PROFILE] },
    active: true,
    ...(identifiers ? { identifier: identifiers } : {}),
    ...(addresses ? { address: addresses } : {}),
    qualification: [
      ...(practitioner.qualification ?? []),
      licenseQualification({ number, professionalType: type.code, ...(type.display ? { professionalTypeDisplay: type.display } : {}), start, end, status: 'active' }),
    ],
  };
  await saveOver(service, licensed, versionId);
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    active: true,
    identifier: [{ system: LICENSE_NUMBER_SYSTEM, value: number }],
    period: { start, end },
    practitioner: { reference: application.practitioner },
    organization: { reference: REGISTRY_ORGANIZATION_REFERENCE },
    code: [{ coding: [{ system: PROFESSIONAL_TYPE_SYSTEM, code: type.code, ...(type.display ? { display: type.display } : {}) }] }],
    ...(application.specialization ? { specialty: [application.specialization] } : {}),
  };
  const storedRole = await asSystem(() => service.create('PractitionerRole', role));
  const now = new Date().toISOString();
  const completed = await saveOver(
    service,
    {
      ...application.task,
      status: 'completed',
      businessStatus: { text: 'approved' },
      lastModified: now,
      output: [
        ...(application.task.output ?? []),
        { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'LN', display: 'License number' }], text: 'license-number' }, valueIdentifier: { system: LICENSE_NUMBER_SYSTEM, value: number } },
      ],
    },
    issue.taskVersion,
  );
  const provenance: Provenance = {
    resourceType: 'Provenance',
    target: [{ reference: `Task/${application.task.id}` }, { reference: application.practitioner }, { reference: `PractitionerRole/${storedRole.id}` }],
    recorded: now,
    activity: { text: `license application approved; license ${number} issued` },
    agent: [{ who: issue.approver, ...(issue.approver.reference === REGISTRY_ORGANIZATION_REFERENCE ? {} : { onBehalfOf: { reference: REGISTRY_ORGANIZATION_REFERENCE } }) }],
  };
  await asSystem(() => service.create('Provenance', provenance));
  return completed;
}
