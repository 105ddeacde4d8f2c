/**
 * Custom SearchParameters (search.html#custom): storing a SearchParameter resource makes it
 * searchable; an unusable one is refused (400) before anything is stored. At start, the stored
 * ones are registered again. Values of resources written before the parameter existed are
 * extracted by `$reindex` (reindex.ts), or at the next start (index-maintenance.ts). Another
 * server process learns of a new parameter only when it restarts (there is no cross-process
 * notification yet).
 */
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import type { Logger } from '../../platform/logger';
import { errors } from '../outcomes';
import type { ResourceService, ResourceWatcher } from '../resource-service';
import type { SearchRegistry } from './registry';

/** Retired parameters are kept as resources but not searched on. */
const isActive = (sp: SearchParameter) => sp.status !== 'retired';

export class CustomSearchParameters implements ResourceWatcher {
  constructor(private readonly registry: SearchRegistry) {}

  beforeWrite(resource: Resource): (() => void) | undefined {
    if (resource.resourceType !== 'SearchParameter') return undefined;
    const sp = resource as SearchParameter;
    if (!sp.url) throw errors.invalid('A SearchParameter needs a url', 'SearchParameter.url');
    const previous = this.registry.isCustom(sp.url) ? this.registry.getDefinition(sp.url) : undefined;
    if (isActive(sp)) this.registry.add(sp);
    else this.registry.remove(sp.url);
    const url = sp.url;
    return () => {
      if (previous) this.registry.add(previous);
      else this.registry.remove(url);
    };
  }

  watches(type: string): boolean {
    return type === 'SearchParameter';
  }

  deleted(resource: Resource): void {
    const url = (resource as SearchParameter).url;
    if (url) this.registry.remove(url);
  }

  /** Registers the stored custom SearchParameters (not the seeded R4 ones); returns how many. */
  async load(service: ResourceService, log: Logger): Promise<number> {
    let loaded = 0;
    let after: string | undefined;
    do {
      const page = await service.search('SearchParameter', { criteria: [], sort: [], count: 500, after, total: false });
      for (const version of page.versions) {
        const sp = version.resource as SearchParameter | undefined;
        if (!sp?.url || !isActive(sp) || (this.registry.isCore(sp.url) && sameAsCore(this.registry, sp))) continue;
        try {
          this.registry.add(sp);
          loaded++;
        } catch (err) {
          log.warn({ url: sp.url, err: (err as Error).message }, 'stored SearchParameter cannot be used; skipped');
        }
      }
      after = page.next;
    } while (after);
    return loaded;
  }
}

/** A stored copy of a core parameter (seeded definitions) needs no registering. */
function sameAsCore(registry: SearchRegistry, sp: SearchParameter): boolean {
  const core = registry.getDefinition(sp.url!);
  return core !== undefined && core.expression === sp.expression && JSON.stringify(core.base) === JSON.stringify(sp.base);
}
