/**
 * Operation input: a Parameters body or the query string, checked against the
 * OperationDefinition's `in` parameters (names, cardinality, types).
 */
import type { OperationDefinition, OperationDefinitionParameter, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { errors } from '../outcomes';
import type { Query } from '../rest/types';

/** Values by parameter name, in the order given. */
export type OperationParams = Map<string, unknown[]>;

const GENERIC_QUERY = new Set(['_format', '_pretty', '_summary', '_elements']);

function valueKey(type: string): string {
  return `value${type[0]!.toUpperCase()}${type.slice(1)}`;
}

/** Primitive query-string values converted to the parameter's type. */
function fromQueryValue(definition: OperationDefinitionParameter, raw: string): unknown {
  switch (definition.type) {
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt':
      if (!/^-?\d{1,10}$/.test(raw)) throw errors.invalid(`Parameter '${definition.name}' must be an integer`, definition.name);
      return Number(raw);
    case 'decimal':
      if (!Number.isFinite(Number(raw))) throw errors.invalid(`Parameter '${definition.name}' must be a number`, definition.name);
      return Number(raw);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw errors.invalid(`Parameter '${definition.name}' must be true or false`, definition.name);
      return raw === 'true';
    default:
      return raw;
  }
}

function checkCardinality(definitions: OperationDefinitionParameter[], params: OperationParams): void {
  for (const definition of definitions) {
    const count = params.get(definition.name ?? '')?.length ?? 0;
    if (count < (definition.min ?? 0)) throw errors.invalid(`Parameter '${definition.name}' is required`, definition.name);
    if (definition.max !== '*' && count > Number(definition.max ?? '1')) {
      throw errors.invalid(`Parameter '${definition.name}' may appear at most ${definition.max} time(s)`, definition.name);
    }
  }
}

function inputs(operation: OperationDefinition): OperationDefinitionParameter[] {
  return (operation.parameter ?? []).filter((p) => p.use === 'in');
}

export function paramsFromQuery(operation: OperationDefinition, query: Query): OperationParams {
  const definitions = inputs(operation);
  const params: OperationParams = new Map();
  for (const [name, values] of Object.entries(query)) {
    if (GENERIC_QUERY.has(name)) continue;
    const definition = definitions.find((d) => d.name === name);
    if (!definition) throw errors.invalid(`Unknown parameter '${name.slice(0, 40)}' for $${operation.code}`, name.slice(0, 40));
    if (!definition.type || definition.part || /^[A-Z]/.test(definition.type)) {
      throw errors.invalid(`Parameter '${name}' of $${operation.code} cannot be sent in the query string; POST a Parameters resource`);
    }
    params.set(name, [...(params.get(name) ?? []), ...values.map((value) => fromQueryValue(definition, value))]);
  }
  checkCardinality(definitions, params);
  return params;
}

export function paramsFromBody(operation: OperationDefinition, body: Parameters): OperationParams {
  const definitions = inputs(operation);
  const params: OperationParams = new Map();
  (body.parameter ?? []).forEach((parameter: ParametersParameter, index) => {
    const definition = definitions.find((d) => d.name === parameter.name);
    const where = `Parameters.parameter[${index}]`;
    if (!definition) throw errors.invalid(`Unknown parameter '${String(parameter.name).slice(0, 40)}' for $${operation.code}`, where);
    let value: unknown;
    if (definition.part) value = parameter.part ?? [];
    else if (definition.type === 'Resource' || (definition.type && parameter.resource)) value = parameter.resource;
    else if (definition.type) value = (parameter as unknown as Record<string, unknown>)[valueKey(definition.type)];
    if (value === undefined) {
      throw errors.invalid(`Parameter '${definition.name}' must carry a value of type ${definition.type}`, where);
    }
    params.set(definition.name!, [...(params.get(definition.name!) ?? []), value]);
  });
  checkCardinality(definitions, params);
  return params;
}
