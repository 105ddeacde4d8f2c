/**
 * Base validation of a parsed FHIR JSON resource against the official R4 JSON schema, with ajv 8
 * (DESIGN.md §1, "Base validation"). See schema-load.ts for the patches applied to the schema and
 * the gaps it leaves, and schema-issues.ts for the expression format of the issues.
 *
 * - One ajv instance and the patched schema are shared per process; each resource type is compiled
 *   on first use (`#/definitions/<Type>`), never the root 146-way `oneOf`.
 * - Nested resources (`ResourceList`) go through the `fhirResource` keyword, which checks the nested
 *   `resourceType` and calls that type's validator with the current instance path, so nested errors
 *   carry their real location.
 * - Every issue has severity `error` and code `structure` (unknown element, wrong JSON type, bad
 *   resource shape), `value` (primitive format, code not in an inline enum, integer range) or
 *   `required`; at most MAX_ISSUES issues (plus one informational note when more were found).
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import Ajv from 'ajv';
import type { ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';
import type { DataValidateFunction, DataValidationCxt } from 'ajv/dist/types';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';
import { issue } from '../outcomes';
import { FHIR_RESOURCE_KEYWORD, loadFhirSchema } from './schema-load';
import type { LoadedFhirSchema } from './schema-load';
import { issuesFromErrors, jsonType } from './schema-issues';
import type { ResourceKeywordParams, ResourcePositions } from './schema-issues';
import { CARDINALITY_KEYWORD, cardinalityProblems, compileCardinality } from './schema-cardinality';
import type { CardinalityRules } from './schema-cardinality';
import { BASE64_KEYWORD, CALENDAR_KEYWORD, isBase64, isRealCalendarDay } from './schema-patches';
import { storedResourceIssues } from './stored-rules';

export interface SchemaValidator {
  /** Issues found in `resource` (an already-parsed JSON value); `[]` when it is valid. */
  validate(resource: unknown): OperationOutcomeIssue[];
  /** What a resource to be stored must meet besides (stored-rules.ts): not asked of operation bodies. */
  storedIssues?(resource: Record<string, unknown>, type: string): OperationOutcomeIssue[];
}

export const MAX_ISSUES = 50;

interface Engine {
  loaded: LoadedFhirSchema;
  validatorFor(resourceType: string): ValidateFunction;
}

let engine: Engine | undefined;
/** Nested resources met during the current (synchronous) validation; see `fhirResource`. */
let positions: ResourcePositions | undefined;

export function createSchemaValidator(): SchemaValidator {
  engine ??= createEngine();
  const { loaded, validatorFor } = engine;
  return {
    storedIssues: (resource, type) => storedResourceIssues(resource, type, { narratives: true }),
    validate(resource: unknown): OperationOutcomeIssue[] {
      const problem = topLevelProblem(resource, loaded.resourceTypes);
      if (problem) return [problem];
      const root = resource as Record<string, unknown>;
      const rootType = root.resourceType as string;
      const validateType = validatorFor(rootType);
      const found: ResourcePositions = new Map();
      const outer = positions;
      positions = found;
      try {
        if (validateType(root)) return [];
      } catch (error) {
        // Extension.extension, Questionnaire.item.item, nested Bundles … can nest without bound.
        if (error instanceof RangeError) return [issue('structure', 'Resource is nested too deeply to validate')];
        throw error;
      } finally {
        positions = outer;
      }
      const errors = validateType.errors ?? [];
      return issuesFromErrors(errors, { root, rootType, positions: found, primitiveByPattern: loaded.primitiveByPattern }, MAX_ISSUES);
    },
  };
}

function topLevelProblem(resource: unknown, resourceTypes: ReadonlySet<string>): OperationOutcomeIssue | undefined {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return issue('structure', `Expected a FHIR resource (JSON object), found ${jsonType(resource)}`);
  }
  if (!Object.hasOwn(resource, 'resourceType')) return issue('structure', 'Missing resourceType', 'resourceType');
  const type: unknown = (resource as Record<string, unknown>).resourceType;
  if (typeof type !== 'string') {
    return issue('structure', `resourceType must be a string, found ${jsonType(type)}`, 'resourceType');
  }
  if (!resourceTypes.has(type)) return issue('structure', `Unknown resourceType '${type}'`, 'resourceType');
  return undefined;
}

function createEngine(): Engine {
  const loaded = loadFhirSchema();
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    messages: false, // we write our own diagnostics
    // JSON.parse reads 1e400 as Infinity, which would be stored as null: refuse it as not a number.
    strictNumbers: true,
    // unicodeRegExp stays on (default): the patched patterns compile with the `u` flag, and
    // turning it off made no measurable difference to validation time.

    validateSchema: false, // the stock schema is trusted; checking it against draft-06 costs ~100 ms
    addUsedSchema: false,
  });
  ajv.addMetaSchema(draft06MetaSchema);
  const validators = new Map<string, ValidateFunction>();

  const validatorFor = (resourceType: string): ValidateFunction => {
    let validate = validators.get(resourceType);
    if (!validate) {
      validate = ajv.getSchema(`${loaded.schemaId}#/definitions/${resourceType}`);
      if (!validate) throw new Error(`FHIR schema has no definition for ${resourceType}`);
      validators.set(resourceType, validate);
    }
    return validate;
  };

  const fhirResource: SchemaValidateFunction = (_schema: unknown, data: unknown, _parentSchema, cxt): boolean => {
    const instancePath = cxt?.instancePath ?? '';
    const fail = (params: ResourceKeywordParams): boolean => {
      const error: ErrorObject = { keyword: FHIR_RESOURCE_KEYWORD, instancePath, schemaPath: '', params: { ...params } };
      fhirResource.errors = [error];
      return false;
    };
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return fail({ problem: 'not-object', found: jsonType(data) });
    }
    if (!Object.hasOwn(data, 'resourceType')) return fail({ problem: 'no-type' });
    const type: unknown = (data as Record<string, unknown>).resourceType;
    if (typeof type !== 'string') return fail({ problem: 'type-not-string', found: jsonType(type) });
    if (!loaded.resourceTypes.has(type)) return fail({ problem: 'unknown-type', found: type });
    positions?.set(instancePath, type);
    const validate = validatorFor(type);
    if (validate(data, cxt)) return true;
    fhirResource.errors = validate.errors ?? [];
    return false;
  };

  ajv.addKeyword({ keyword: FHIR_RESOURCE_KEYWORD, schemaType: 'boolean', errors: true, validate: fhirResource });
  ajv.addKeyword({
    keyword: CARDINALITY_KEYWORD,
    type: 'object',
    schemaType: 'object',
    errors: true,
    compile: (schema: CardinalityRules) => {
      const rules = compileCardinality(schema);
      const check: DataValidateFunction = (data: Record<string, unknown>, cxt?: DataValidationCxt): boolean => {
        const problems = cardinalityProblems(rules, data);
        if (problems.length === 0) return true;
        const instancePath = cxt?.instancePath ?? '';
        check.errors = problems.map((params) => ({ keyword: CARDINALITY_KEYWORD, instancePath, schemaPath: '', params }));
        return false;
      };
      return check;
    },
  });
  ajv.addKeyword({ keyword: CALENDAR_KEYWORD, schemaType: 'boolean', errors: false, validate: (_: unknown, data: unknown) => isRealCalendarDay(data) });
  ajv.addKeyword({ keyword: BASE64_KEYWORD, schemaType: 'boolean', errors: false, validate: (_: unknown, data: unknown) => isBase64(data) });
  ajv.addSchema(loaded.schema);
  return { loaded, validatorFor };
}
