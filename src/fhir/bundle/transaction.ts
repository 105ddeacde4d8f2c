/**
 * transaction (http.html#transaction): all entries succeed together or nothing is stored.
 * Before processing, temporary fullUrls (urn:uuid, urn:oid) get their ids (a conditional
 * create's existing match keeps its own), references to them are rewritten everywhere, and
 * conditional references (`Patient?identifier=…`) are resolved: exactly one match, else the
 * transaction fails (400 none, 412 several). Entries then run in the spec order inside one
 * store transaction; the first failing entry aborts it and the answer is one
 * OperationOutcome naming that entry, as does a second entry changing a resource another entry
 * changed (changed-resources.ts).
 */
import type { Bundle, BundleEntry, OperationOutcome } from '@medplum/fhirtypes';
import type { FhirContext } from '../interactions/context';
import { parseConditionHeader } from '../conditional/condition';
import { FhirError, issue } from '../outcomes';
import { dispatch } from '../rest/dispatch';
import { errorResponse } from '../rest/http';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { processingOrder, responseEntry } from './batch';
import { ChangedResources } from './changed-resources';
import { entryRequest } from './entry-request';
import { assignIdentities, parseConditionalReference, rewriteConditional, rewriteTemporary } from './references';

function entryLabel(entry: BundleEntry, index: number): string {
  return `entry ${index} (${entry.request?.method ?? '?'} ${entry.request?.url ?? '?'})`;
}

function entryFailure(entry: BundleEntry, index: number, response: FhirResponse): FhirError {
  const outcome = response.resource?.resourceType === 'OperationOutcome' ? (response.resource as OperationOutcome) : undefined;
  const first = outcome?.issue?.[0];
  return new FhirError(
    [
      issue(first?.code ?? 'processing', `Transaction failed at ${entryLabel(entry, index)}: ${first?.diagnostics ?? `status ${response.status}`}; nothing was stored`, `Bundle.entry[${index}]`),
      ...(outcome?.issue?.slice(1) ?? []),
    ],
    response.status,
  );
}

/** A conditional create's existing match takes over its entry's temporary identity. */
async function matchConditionalCreates(ctx: FhirContext, entries: BundleEntry[], identities: Map<string, string>): Promise<void> {
  for (const [index, entry] of entries.entries()) {
    const ifNoneExist = entry.request?.ifNoneExist;
    if (entry.request?.method !== 'POST' || !ifNoneExist || !entry.fullUrl || !identities.has(entry.fullUrl)) continue;
    const type = entry.resource!.resourceType;
    const ids = await ctx.conditional.matchIds(type, parseConditionHeader(ifNoneExist), 2);
    if (ids.length > 1) {
      throw new FhirError([issue('multiple-matches', `${entryLabel(entry, index)}: ifNoneExist matches several ${type}`, `Bundle.entry[${index}].request.ifNoneExist`)], 412);
    }
    if (ids.length === 1) identities.set(entry.fullUrl, `${type}/${ids[0]}`);
  }
}

async function resolveConditionalReferences(ctx: FhirContext, references: Set<string>): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  for (const reference of references) {
    const { type, query } = parseConditionalReference(reference)!;
    const ids = await ctx.conditional.matchIds(type, parseConditionHeader(query), 2);
    if (ids.length === 0) throw new FhirError([issue('not-found', `Conditional reference ${reference} matches no resource`)], 400);
    if (ids.length > 1) throw new FhirError([issue('multiple-matches', `Conditional reference ${reference} matches several resources`)], 412);
    resolved.set(reference, `${type}/${ids[0]}`);
  }
  return resolved;
}

export async function processTransaction(ctx: FhirContext, req: FhirRequest, bundle: Bundle): Promise<Bundle> {
  const entries = structuredClone(bundle.entry ?? []);
  const identities = assignIdentities(entries);
  await matchConditionalCreates(ctx, entries, identities);
  const conditional = new Set<string>();
  for (const entry of entries) {
    if (!entry.resource) continue;
    for (const reference of rewriteTemporary(entry.resource as unknown as Record<string, unknown>, identities)) conditional.add(reference);
  }
  const resolved = await resolveConditionalReferences(ctx, conditional);
  for (const entry of entries) if (entry.resource) rewriteConditional(entry.resource as unknown as Record<string, unknown>, resolved);

  const results: BundleEntry[] = new Array(entries.length);
  const changed = new ChangedResources(ctx);
  await ctx.service.transaction(async () => {
    for (const index of processingOrder(entries)) {
      const entry = entries[index]!;
      const request = entryRequest(req, entry, index, ctx.config.baseUrl);
      const identity = entry.fullUrl ? identities.get(entry.fullUrl) : undefined;
      if (identity && request.method === 'POST') request.assignedId = identity.split('/')[1];
      let response: FhirResponse;
      try {
        await changed.beforeEntry(request, index);
        response = await dispatch(ctx, request);
        if (response.status < 400) changed.afterEntry(request, response, index);
      } catch (err) {
        response = errorResponse(err, req.log, req.requestId);
      }
      if (response.status >= 400) throw entryFailure(entry, index, response);
      results[index] = responseEntry(req, ctx.config.baseUrl, request.method, response);
    }
  });
  const result: Bundle = { resourceType: 'Bundle', type: 'transaction-response' };
  if (results.length > 0) result.entry = results;
  return result;
}
