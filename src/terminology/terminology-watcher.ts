/**
 * Tells the terminology caches (terminology-resolver.ts) that a CodeSystem, ValueSet or
 * ConceptMap is being written or was deleted, then passes every event on to the next watcher
 * (custom SearchParameters). Attached after construction: the terminology reads through the
 * ResourceService this watcher is given to.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { ResourceWatcher } from '../fhir/resource-service';
import type { Terminology } from './terminology';

const TERMINOLOGY_TYPES = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);

export class TerminologyWatcher implements ResourceWatcher {
  private terminology: Terminology | undefined;

  constructor(private readonly next?: ResourceWatcher) {}

  attach(terminology: Terminology): void {
    this.terminology = terminology;
  }

  beforeWrite(resource: Resource): (() => void) | undefined {
    if (TERMINOLOGY_TYPES.has(resource.resourceType)) this.terminology?.resolver.changed();
    return this.next?.beforeWrite(resource);
  }

  watches(type: string): boolean {
    return TERMINOLOGY_TYPES.has(type) || (this.next?.watches(type) ?? false);
  }

  deleted(resource: Resource): void {
    if (TERMINOLOGY_TYPES.has(resource.resourceType)) this.terminology?.resolver.changed();
    if (this.next?.watches(resource.resourceType)) this.next.deleted(resource);
  }
}
