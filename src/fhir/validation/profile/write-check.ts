/**
 * Profile validation on write (issue 6 part 1): a resource is checked against the profiles it
 * names in `meta.profile` that this server knows (HL7's base definitions are the base rules, which
 * the JSON schema checks on every write), and against the profiles its type requires
 * (REQUIRED_PROFILES). A plain resource naming no profile costs nothing here.
 */
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { Terminology } from '../../../terminology/terminology';
import type { ProfileDefinitions } from './validator';
import { profileValidatorFor } from './validator';

export function profileWriteCheck(
  definitions: ProfileDefinitions,
  terminology: Terminology,
  required: Readonly<Record<string, readonly string[]>>,
): (resource: Resource) => Promise<OperationOutcomeIssue[]> {
  const validator = profileValidatorFor(definitions);
  for (const url of Object.values(required).flat()) {
    if (!validator.knows(url)) throw new Error(`REQUIRED_PROFILES names ${url}, which is not a profile this server knows`);
  }
  return async (resource) => {
    const issues = await validator.validateAgainstProfiles(resource, terminology);
    const claimed = resource.meta?.profile ?? [];
    for (const url of required[resource.resourceType] ?? []) {
      if (!claimed.includes(url)) issues.push(...(await validator.validate(resource, { profile: url, terminology })));
    }
    return issues;
  };
}
