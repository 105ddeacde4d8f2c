/** What every interaction handler receives besides the request. */
import type { Config } from '../../config/config';
import type { FhirDefinitions } from '../definitions';
import type { OperationRegistry } from '../operations/registry';
import type { ResourceService } from '../resource-service';
import type { ConditionalService } from '../conditional/conditional-service';
import type { SearchRegistry } from '../search/registry';
import type { Terminology } from '../../terminology/terminology';
import type { Auditor } from '../../audit/auditor';
import type { IndexMaintenance } from '../search/index-maintenance';

export interface FhirContext {
  config: Config;
  definitions: FhirDefinitions;
  service: ResourceService;
  conditional: ConditionalService;
  operations: OperationRegistry;
  /** The search parameters of every type (core and custom). */
  search: SearchRegistry;
  /** CodeSystems and ValueSets, stored and R4 core. */
  terminology: Terminology;
  /** Writes the AuditEvents of interactions (absent when auditing is off). */
  auditor?: Auditor;
  /** Runs `$reindex` jobs and records what they brought up to date (absent: jobs run on their own). */
  indexes?: IndexMaintenance;
}
