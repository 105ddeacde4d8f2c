/** POST [base] with a batch or transaction Bundle (http.html#transaction). */
import type { Bundle } from '@medplum/fhirtypes';
import { processBatch } from '../bundle/batch';
import { processTransaction } from '../bundle/transaction';
import { errors, FhirError, issue } from '../outcomes';
import { parseJsonBody } from '../rest/body';
import type { FhirRequest, FhirResponse } from '../rest/types';
import type { FhirContext } from './context';

export async function postBundle(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  const body = parseJsonBody(req) as { resourceType: string };
  if (body.resourceType !== 'Bundle') throw errors.invalid(`POST to the base needs a Bundle (got ${body.resourceType.slice(0, 40)})`, 'resourceType');
  // The Bundle's own structure is checked here; each entry's resource is validated by the
  // interaction it goes to, so in a batch one bad resource fails only its own entry.
  const shell = body as Bundle;
  if (Array.isArray(shell.entry)) {
    ctx.service.validate({ ...shell, entry: shell.entry.map((entry) => (entry && typeof entry === 'object' ? { ...entry, resource: undefined } : entry)) }, 'Bundle');
  } else {
    ctx.service.validate(shell, 'Bundle');
  }
  const bundle = shell;
  const count = bundle.entry?.length ?? 0;
  if (count > ctx.config.maxBundleEntries) {
    throw new FhirError([issue('too-costly', `The Bundle has ${count} entries; this server accepts at most ${ctx.config.maxBundleEntries}`)], 413);
  }
  if (bundle.type === 'batch') return { status: 200, resource: await processBatch(ctx, req, bundle) };
  if (bundle.type === 'transaction') return { status: 200, resource: await processTransaction(ctx, req, bundle) };
  throw errors.invalid(`Bundle.type must be batch or transaction (got ${String(bundle.type).slice(0, 40)})`, 'Bundle.type');
}
