/**
 * Reading terminology operation inputs (already checked against the OperationDefinition by
 * fhir/operations/parameters.ts) and building Parameters outputs.
 */
import type { CodeableConcept, Coding, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import type { OperationInvocation } from '../../fhir/operations/registry';
import { errors } from '../../fhir/outcomes';

/** The first value of a parameter (every input these operations read is 0..1). */
export function param<T>(invocation: OperationInvocation, name: string): T | undefined {
  return invocation.params.get(name)?.[0] as T | undefined;
}

export function stringParam(invocation: OperationInvocation, name: string): string | undefined {
  const value = param<string>(invocation, name);
  if (value !== undefined && value.trim() === '') throw errors.invalid(`Parameter '${name}' is empty`, name);
  return value;
}

/** A resource parameter (`valueSet`, `conceptMap`…), checked to be of the expected type. */
export function resourceParam<T extends Resource>(invocation: OperationInvocation, name: string, type: T['resourceType']): T | undefined {
  const value = param<Resource>(invocation, name);
  if (value !== undefined && value.resourceType !== type) throw errors.invalid(`Parameter '${name}' must be a ${type}, not a ${String(value.resourceType).slice(0, 40)}`, name);
  return value as T | undefined;
}

/**
 * The resource an operation works on: the instance, an inline resource parameter or a canonical
 * URL parameter, exactly one of them. Undefined when none is given (the caller decides).
 */
export async function subject<T extends Resource & { url?: string }>(
  invocation: OperationInvocation,
  type: T['resourceType'],
  inline: string,
  find: (url: string) => Promise<T | undefined>,
  urlParam = 'url',
): Promise<T | undefined> {
  const url = stringParam(invocation, urlParam);
  const resource = resourceParam<T>(invocation, inline, type);
  if (invocation.level === 'instance') {
    if (resource) throw errors.invalid(`Parameter '${inline}' cannot be used on a ${type} instance`, inline);
    const stored = (await invocation.ctx.service.read(type, invocation.id!)).resource as T;
    if (url !== undefined && url !== stored.url) throw errors.invalid(`Parameter '${urlParam}' names another ${type} than ${type}/${invocation.id}`, urlParam);
    return stored;
  }
  if (url !== undefined && resource) throw errors.invalid(`Give either '${urlParam}' or '${inline}', not both`);
  if (resource) return resource;
  if (url === undefined) return undefined;
  const found = await find(url);
  // The resource the operation is about does not exist: 404, like an unknown instance.
  if (!found) throw errors.notFound(`${type} '${url.slice(0, 120)}' is not known to this server`);
  return found;
}

export interface CodingNames {
  code?: string;
  system?: string;
  version?: string;
  display?: string;
  coding?: string;
  codeableConcept?: string;
}

/**
 * The codings to work on from one (and only one) of: `code` (with system, version and display),
 * `coding`, or `codeableConcept`. A codeableConcept gives all its codings.
 */
export function codingsFrom(invocation: OperationInvocation, names: CodingNames, defaultSystem?: string): Coding[] {
  const code = names.code ? stringParam(invocation, names.code) : undefined;
  const coding = names.coding ? param<Coding>(invocation, names.coding) : undefined;
  const concept = names.codeableConcept ? param<CodeableConcept>(invocation, names.codeableConcept) : undefined;
  const given = [code, coding, concept].filter((v) => v !== undefined).length;
  const forms = [names.code, names.coding, names.codeableConcept].filter(Boolean).map((n) => `'${n}'`).join(', ');
  if (given !== 1) throw errors.invalid(`Give exactly one of ${forms}`);
  const display = names.display ? stringParam(invocation, names.display) : undefined;
  if (display !== undefined && code === undefined) throw errors.invalid(`Parameter '${names.display}' goes with '${names.code}'`, names.display);
  if (code !== undefined) {
    const system = (names.system ? stringParam(invocation, names.system) : undefined) ?? defaultSystem;
    const version = names.version ? stringParam(invocation, names.version) : undefined;
    return [{ code, ...(system === undefined ? {} : { system }), ...(version === undefined ? {} : { version }), ...(display === undefined ? {} : { display }) }];
  }
  const codings = coding ? [coding] : (concept!.coding ?? []);
  if (codings.length === 0) throw errors.invalid(`Parameter '${names.codeableConcept}' has no coding`, names.codeableConcept);
  for (const c of codings) if (!c.code) throw errors.invalid('A coding has no code', coding ? names.coding : names.codeableConcept);
  return codings;
}

/** A Parameters resource from the given parameters, leaving out the absent ones. */
export function parameters(...items: Array<ParametersParameter | undefined | false>): Parameters {
  const parameter = items.filter((p): p is ParametersParameter => !!p);
  return parameter.length > 0 ? { resourceType: 'Parameters', parameter } : { resourceType: 'Parameters' };
}

export function stringOut(name: string, value: string | undefined): ParametersParameter | undefined {
  return value === undefined ? undefined : { name, valueString: value };
}
