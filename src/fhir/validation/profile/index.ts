/** Profile validation against StructureDefinition snapshots (see validator.ts). */
export { ProfileValidator, profileValidatorFor } from './validator';
export type { ProfileDefinitions, ProfileValidationOptions } from './validator';
export { SKIPPED as SKIPPED_CONSTRAINTS } from './invariants';
