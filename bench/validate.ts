/**
 * Validation cost per resource on its own (bench/validation.ts), without the HTTP scenarios:
 * `npx tsx bench/validate.ts`. BENCH_SYNTHEA_DIR (../shared/data/synthea-r4), BENCH_VALIDATE_FILES
 * (bundles, 10). Prints figures; asserts nothing.
 */
import { join } from 'node:path';
import { measureValidation, validationLines } from './validation';

const dir = process.env.BENCH_SYNTHEA_DIR || join(import.meta.dirname, '..', '..', 'shared', 'data', 'synthea-r4');
const files = Number(process.env.BENCH_VALIDATE_FILES ?? 10);
const cost = await measureValidation(dir, files);
console.log(`${cost.resources} Synthea resources (${files} bundles), ${cost.patients} Patients`);
for (const line of validationLines(cost)) console.log(line);
