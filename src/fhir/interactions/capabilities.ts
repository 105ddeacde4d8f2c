/**
 * capabilities (GET [base]/metadata): a CapabilityStatement generated from what
 * the server actually has: the resource types from the definitions, the
 * interactions from the route table and the operations from the registry.
 */
import type {
  CapabilityStatementRestSecurity,
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceOperation,
} from '@medplum/fhirtypes';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { smartEndpoints } from '../../auth/smart/well-known';
import { first } from '../rest/types';
import type { FhirContext } from './context';
import { SYSTEM_INTERACTIONS, TYPE_INTERACTIONS } from '../rest/routes';
import { errors } from '../outcomes';
import { PATCH_FORMATS } from '../patch/request';

const SERVER_VERSION = '0.1.0';
const cache = new WeakMap<FhirContext, CapabilityStatement>();

function operationsFor(ctx: FhirContext, type: string): CapabilityStatementRestResourceOperation[] {
  return ctx.operations
    .all()
    .filter((op) => (op.definition.type || op.definition.instance) && ctx.operations.types(op).includes(type))
    .map((op) => ({ name: op.definition.code!, definition: op.definition.url! }));
}

/** The modifiers the search parser accepts, by parameter type (R4 has no element for them: they go in the documentation). */
const MODIFIERS: Record<string, string> = {
  string: ':missing :exact :contains',
  token: ':missing :not :text :of-type :in :not-in',
  reference: ':missing :[type] :identifier, and chains',
  date: ':missing',
  number: ':missing',
  quantity: ':missing',
  uri: ':missing :above :below',
  composite: ':missing',
};

/** Search parameters, includes and reverse includes of each type, from the search registry. */
function searchCapabilities(ctx: FhirContext): Map<string, Pick<CapabilityStatementRestResource, 'searchParam' | 'searchInclude' | 'searchRevInclude'>> {
  const result = new Map<string, Pick<CapabilityStatementRestResource, 'searchParam' | 'searchInclude' | 'searchRevInclude'>>();
  const revincludes = new Map<string, string[]>();
  for (const type of ctx.definitions.resourceTypes) {
    const params = [...ctx.search.forType(type).values()].filter((info) => info.supported && info.type !== 'special');
    const references = params.filter((info) => info.type === 'reference');
    for (const info of references) {
      for (const target of info.targets.length > 0 ? info.targets : ctx.definitions.resourceTypes) {
        revincludes.set(target, [...(revincludes.get(target) ?? []), `${type}:${info.code}`]);
      }
    }
    result.set(type, {
      searchParam: params.map((info) => ({
        name: info.code,
        definition: info.url,
        type: info.type,
        documentation: [info.definition.description?.trim(), MODIFIERS[info.type] ? `Modifiers: ${MODIFIERS[info.type]}.` : undefined]
          .filter((text): text is string => !!text)
          .join(' '),
      })),
      searchInclude: ['*', ...references.map((info) => `${type}:${info.code}`)],
    });
  }
  for (const [type, entry] of result) {
    const reverse = revincludes.get(type);
    if (reverse) entry.searchRevInclude = reverse.sort();
  }
  return result;
}

function resourceEntry(ctx: FhirContext, type: string, search: ReturnType<typeof searchCapabilities>): CapabilityStatementRestResource {
  const entry: CapabilityStatementRestResource = type === 'AuditEvent' ? auditEventEntry(ctx) : {
    type: type as CapabilityStatementRestResource['type'],
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'full-support',
    conditionalUpdate: true,
    conditionalDelete: ctx.config.conditionalDeleteMultiple ? 'multiple' : 'single',
  };
  Object.assign(entry, search.get(type));
  const operations = operationsFor(ctx, type);
  if (operations.length > 0) entry.operation = operations;
  return entry;
}

/**
 * AuditEvents are never changed or deleted, and with authentication on only the server records
 * them (resource-service.ts): read and search only, plus create with authentication off.
 */
function auditEventEntry(ctx: FhirContext): CapabilityStatementRestResource {
  const writable = ctx.config.authEnabled ? [] : ['create'];
  return {
    type: 'AuditEvent',
    profile: 'http://hl7.org/fhir/StructureDefinition/AuditEvent',
    interaction: TYPE_INTERACTIONS.filter((code) => ['read', 'vread', 'history-instance', 'history-type', 'search-type', ...writable].includes(code)).map((code) => ({ code })),
    versioning: 'versioned',
    readHistory: true,
    updateCreate: false,
    conditionalCreate: !ctx.config.authEnabled,
    conditionalRead: 'full-support',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
  };
}

/** SMART on FHIR: the service and its OAuth endpoints (App Launch 2.0 §Conformance, the oauth-uris extension). */
function smartSecurity(baseUrl: string): CapabilityStatementRestSecurity {
  const endpoints = smartEndpoints(baseUrl);
  const uri = (url: 'authorize' | 'token' | 'revoke' | 'introspect') => ({ url, valueUri: endpoints[url] });
  return {
    cors: true,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)' }],
    description: 'Bearer access tokens from the SMART authorization server; discovery at .well-known/smart-configuration.',
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [uri('authorize'), uri('token'), uri('revoke'), uri('introspect')],
      },
    ],
  };
}

export function buildCapabilityStatement(ctx: FhirContext): CapabilityStatement {
  const cached = cache.get(ctx);
  if (cached) return cached;
  const search = searchCapabilities(ctx);
  const statement: CapabilityStatement = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Baobab',
    kind: 'instance',
    software: { name: 'Baobab', version: SERVER_VERSION },
    implementation: { description: 'Baobab FHIR R4 server', url: ctx.config.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: [...PATCH_FORMATS],
    rest: [
      {
        mode: 'server',
        resource: ctx.definitions.resourceTypes.map((type) => resourceEntry(ctx, type, search)),
        interaction: SYSTEM_INTERACTIONS.map((code) => ({ code })),
        compartment: ctx.definitions.compartmentDefinitions.flatMap((d) => (d.url ? [d.url] : [])),
        operation: ctx.operations
          .all()
          .filter((op) => op.definition.system)
          .map((op) => ({ name: op.definition.code!, definition: op.definition.url! })),
        ...(ctx.config.authEnabled ? { security: smartSecurity(ctx.config.baseUrl) } : {}),
      },
    ],
  };
  cache.set(ctx, statement);
  return statement;
}

export function capabilities(ctx: FhirContext, req: FhirRequest): FhirResponse {
  const mode = first(req.query, 'mode');
  if (mode !== undefined && mode !== 'full') {
    throw errors.notSupported(`metadata mode '${mode.slice(0, 20)}' is not supported (only full)`, 400);
  }
  return { status: 200, resource: buildCapabilityStatement(ctx) };
}
