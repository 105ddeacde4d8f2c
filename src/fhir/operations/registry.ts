/**
 * Operations as data (DESIGN.md §7): each is an OperationDefinition plus a
 * handler. Routes, the CapabilityStatement and openapi.yaml are all derived
 * from this registry.
 */
import type { OperationDefinition, Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../interactions/context';
import type { FhirRequest, FhirResponse, Query } from '../rest/types';
import type { OperationParams } from './parameters';

export type OperationLevel = 'system' | 'type' | 'instance';

export interface OperationInvocation {
  ctx: FhirContext;
  req: FhirRequest;
  level: OperationLevel;
  resourceType?: string;
  id?: string;
  /** Set for `[type]/[id]/_history/[vid]/$op`. */
  versionId?: string;
  params: OperationParams;
}

export type OperationHandler = (invocation: OperationInvocation) => Promise<Resource | FhirResponse>;

export interface RegisteredOperation {
  definition: OperationDefinition;
  handler: OperationHandler;
  /** Also invocable on one version: `[type]/[id]/_history/[vid]/$op`. */
  versioned: boolean;
  /** Levels at which it runs as a background job (202 Accepted with Content-Location). */
  background?: readonly OperationLevel[];
  /** Reads a POST body itself (e.g. $validate, whose body may be the resource), unvalidated. */
  inputFromBody?: BodyInput;
}

/** A POSTed body (parsed JSON, not schema-checked) and the query string → the operation's inputs. */
export type BodyInput = (body: Resource, query: Query, definition: OperationDefinition) => OperationParams;

export interface RegisterOptions {
  versioned?: boolean;
  background?: readonly OperationLevel[];
  inputFromBody?: BodyInput;
}

export class OperationRegistry {
  /** One code may have several definitions for disjoint types (CodeSystem and ValueSet $validate-code). */
  private readonly byCode = new Map<string, RegisteredOperation[]>();

  constructor(private readonly allTypes: readonly string[]) {}

  register(definition: OperationDefinition, handler: OperationHandler, options: RegisterOptions = {}): void {
    if (!definition.code) throw new Error(`OperationDefinition ${definition.id} has no code`);
    const operation: RegisteredOperation = {
      definition,
      handler,
      versioned: options.versioned ?? false,
      background: options.background,
      ...(options.inputFromBody ? { inputFromBody: options.inputFromBody } : {}),
    };
    const same = this.byCode.get(definition.code) ?? [];
    const types = this.types(operation);
    if (same.some((other) => (other.definition.system && definition.system) || this.types(other).some((type) => types.includes(type)))) {
      throw new Error(`Operation $${definition.code} is registered twice`);
    }
    this.byCode.set(definition.code, [...same, operation]);
  }

  /** The operation `code` when it is defined at `level` for `resourceType`. */
  resolve(code: string, level: OperationLevel, resourceType?: string): RegisteredOperation | undefined {
    return this.byCode.get(code)?.find((operation) => {
      if (!operation.definition[level]) return false;
      return level === 'system' || !resourceType || this.types(operation).includes(resourceType);
    });
  }

  /** Whether another registered operation has the same code (their OpenAPI ids need the type). */
  sharesCode(operation: RegisteredOperation): boolean {
    return (this.byCode.get(operation.definition.code ?? '')?.length ?? 0) > 1;
  }

  /** Resource types the operation applies to ('Resource' in the definition means all). */
  types(operation: RegisteredOperation): readonly string[] {
    const declared: readonly string[] = operation.definition.resource ?? [];
    if (declared.includes('Resource') || declared.includes('DomainResource')) return this.allTypes;
    return declared;
  }

  /** Whether GET may invoke it: only operations that do not change state (operations.html#invoking). */
  allowsGet(operation: RegisteredOperation): boolean {
    return operation.definition.affectsState !== true;
  }

  all(): RegisteredOperation[] {
    return [...this.byCode.values()].flat();
  }
}
