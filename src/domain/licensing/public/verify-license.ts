/**
 * $verify-license (profiles/OperationDefinition-verify-license.json): is this license valid today,
 * and the public facts about it. An unknown number is an answer (`valid: false`), not an error,
 * so the page and the widget can show "not valid" the same way for both.
 */
import type { Parameters } from '@medplum/fhirtypes';
import type { FhirContext } from '../../../fhir/interactions/context';
import { errors } from '../../../fhir/outcomes';
import type { OperationHandler } from '../../../fhir/operations/registry';
import { stringParam } from './operation-input';
import type { PublicLicense, PublicRecord } from './public-view';
import { verificationParameters } from './public-parameters';
import { practitionerWithLicense, publicRecords } from './registry-records';

export interface Verification {
  record: PublicRecord;
  license: PublicLicense;
}

/** The public record and license for `number`, or undefined when the registry has no such license. */
export async function verifyLicense(ctx: FhirContext, number: string, now = new Date()): Promise<Verification | undefined> {
  const practitioner = await practitionerWithLicense(ctx, number.trim());
  if (!practitioner) return undefined;
  const [record] = await publicRecords(ctx, [practitioner], now);
  const license = record?.licenses.find((l) => l.number === number.trim());
  return record && license ? { record, license } : undefined;
}

export const verifyLicenseOperation: OperationHandler = async ({ ctx, params }): Promise<Parameters> => {
  const number = stringParam(params, 'license-number');
  if (!number?.trim()) throw errors.invalid("Parameter 'license-number' is required", 'license-number');
  return verificationParameters(await verifyLicense(ctx, number));
};
