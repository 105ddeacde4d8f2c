/**
 * `$suspend-license`, `$revoke-license`, `$reactivate-license` and `$renew-license` on a
 * Practitioner (profiles/OperationDefinition-*.json): check the officer and the inputs, change the
 * license (change-license.ts) and answer with the Practitioner's new version, as `$restore` does
 * (a single `return` Resource output is the body itself, operations.html#response).
 */
import type { Resource } from '@medplum/fhirtypes';
import { currentAccess } from '../../../auth/request-access';
import type { OperationHandler } from '../../../fhir/operations/registry';
import { errors } from '../../../fhir/outcomes';
import { today as todayOf } from '../license';
import { changeLicense } from './change-license';
import { optionalDate, optionalText, requiredText } from './inputs';
import { assertOfficer, officerReference } from './officer';
import type { LifecycleAction } from './transitions';

export const LICENSE_OPERATIONS: Record<string, LifecycleAction> = {
  'suspend-license': 'suspend',
  'revoke-license': 'revoke',
  'reactivate-license': 'reactivate',
  'renew-license': 'renew',
};

/** Which inputs each action takes: a reason where the decision needs one on record. */
const REASON: Record<LifecycleAction, 'required' | 'optional'> = { suspend: 'required', revoke: 'required', reactivate: 'optional', renew: 'optional', expire: 'optional' };

export function licenseOperation(code: string, action: LifecycleAction): OperationHandler {
  return async ({ ctx, req, id, params }) => {
    const access = currentAccess();
    assertOfficer(access, code);
    const now = new Date();
    const today = todayOf(now);
    const licenseNumber = optionalText(params, 'license-number');
    const reason = REASON[action] === 'required' ? requiredText(params, 'reason') : optionalText(params, 'reason');
    const until = action === 'suspend' ? optionalDate(params, 'end') : undefined;
    if (until !== undefined && until <= today) throw errors.invalid(`Parameter 'end' must be after today (${today})`, 'end');
    const result = await changeLicense(
      ctx,
      {
        practitionerId: id!,
        licenseNumber,
        action,
        today,
        now,
        termMonths: ctx.config.registryLicenseTermMonths,
        agent: officerReference(access),
        activity: code,
        reason,
        until,
      },
      req.log,
    );
    return result.practitioner as Resource;
  };
}
