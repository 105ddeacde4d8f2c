/**
 * Composition root: builds the store, registries and services, and is the only
 * module that knows the store is MongoDB.
 */
import { MongoClient } from 'mongodb';
import type { MongoClientOptions } from 'mongodb';
import type { Resource } from '@medplum/fhirtypes';
import type { Config } from './config/config';
import type { Logger } from './platform/logger';
import { createLogger } from './platform/logger';
import type { FhirStore } from './store/fhir-store';
import { MongoFhirStore } from './store/mongo/mongo-store';
import type { MongoEngine } from './store/mongo/engine';
import { startEmbeddedEngine } from './store/mongo/engine';
import type { FhirDefinitions } from './fhir/definitions';
import { loadDefinitions } from './fhir/definitions';
import { createSchemaValidator } from './fhir/validation/schema';
import { ResourceService } from './fhir/resource-service';
import { ConditionalService } from './fhir/conditional/conditional-service';
import { createTerminology } from './terminology/terminology';
import { TerminologyWatcher } from './terminology/terminology-watcher';
import { localTerminology } from './terminology/local-terminology';
import { OperationRegistry } from './fhir/operations/registry';
import { registerStandardOperations } from './fhir/operations/standard';
import type { FhirContext } from './fhir/interactions/context';
import { isValidId } from './platform/ids';
import { SearchRegistry } from './fhir/search/registry';
import { extractSearchIndex } from './fhir/search/extract';
import { CustomSearchParameters } from './fhir/search/custom-parameters';
import { IndexMaintenance } from './fhir/search/index-maintenance';
import { MongoIndexFingerprintStore } from './store/mongo/index-fingerprint-store';
import { AccessGuard } from './fhir/access-guard';
import { profileWriteCheck } from './fhir/validation/profile/write-check';
import { AuditLog } from './audit/audit-log';
import { Auditor } from './audit/auditor';
import { RedisAuditJournal } from './audit/audit-journal';
import { scopeQueryCriteria } from './fhir/search/scope-query';
import type { SearchIndex } from './fhir/search/extract/types';
import type { AuthServices } from './auth/auth-services';
import { createAuthServices } from './auth/auth-services';
import { MongoRefreshTokenStore } from './store/mongo/refresh-token-store';
import { MongoRevocationStore } from './store/mongo/revocation-store';
import { MongoSigningKeyStore } from './store/mongo/signing-key-store';
import type { Redis } from 'ioredis';
import { MongoAccountStore } from './store/mongo/account-store';
import { AccountService, accountSettings } from './auth/accounts/account-service';
import { fhirIdentities } from './auth/accounts/fhir-identities';
import type { EmailQueue } from './jobs/email-queue';
import { startEmailQueue } from './jobs/email-queue';
import type { MailTransport } from './jobs/mail-transport';
import { mailTransportFor } from './jobs/mail-transport';
import { connectRedis } from './jobs/redis';
import { SmartServer } from './auth/smart/smart-server';
import { mongoSmartStores } from './store/mongo/smart-store';
import { MongoLicenseNumberStore } from './store/mongo/license-number-store';
import { attachLicenseNumberStore } from './domain/licensing/application/number-store';
import type { LicenseLifecycle } from './jobs/license-lifecycle';
import { startLicenseLifecycle } from './jobs/license-lifecycle';
import { MongoLicenseReminderStore } from './store/mongo/license-reminder-store';
import { MongoLicenseContactStore } from './store/mongo/license-contact-store';

export interface ContainerOptions {
  logger?: Logger;
  /** Extra driver options (the benchmark uses command monitoring). */
  mongoOptions?: MongoClientOptions;
  /** Where account emails go instead of SMTP/the log (tests read them there). */
  mailTransport?: MailTransport;
}

export class Container {
  /** The registry's license notices and daily expiry job (issue 7); set once started. */
  licenseLifecycle?: LicenseLifecycle;

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly store: FhirStore,
    readonly definitions: FhirDefinitions,
    readonly fhir: FhirContext,
    readonly mongoClient: MongoClient,
    private readonly engine: MongoEngine | undefined,
    readonly auth: AuthServices,
    /** Commands (rate limits); keys under config.redisPrefix. */
    readonly redis: Redis,
    readonly emails: EmailQueue,
    readonly accounts: AccountService,
    /** The SMART App Launch authorization server (/oauth2, /.well-known, /admin/clients). */
    readonly smart: SmartServer,
  ) {}

  static async create(config: Config, options: ContainerOptions = {}): Promise<Container> {
    const logger = options.logger ?? createLogger(config.logLevel);
    let engine: MongoEngine | undefined;
    let url = config.mongodbUrl;
    if (url) {
      logger.info({ engine: 'external' }, 'using MongoDB at MONGODB_URL');
    } else {
      engine = await startEmbeddedEngine({ dataDir: config.dataDir, persistent: true, logger });
      url = engine.url;
    }
    const client = new MongoClient(url, { maxPoolSize: 64, ignoreUndefined: true, ...options.mongoOptions });
    let redis: Redis | undefined;
    let emails: EmailQueue | undefined;
    let licenseLifecycle: LicenseLifecycle | undefined;
    try {
      await client.connect();
      const store = new MongoFhirStore(client, client.db(config.mongodbDatabase), { journalRecoveryAgeMs: config.journalRecoveryAgeMs });
      const definitions = loadDefinitions();
      const search = new SearchRegistry(definitions);
      const baseUrl = config.baseUrl;
      const indexer = (resource: Resource) => extractSearchIndex(resource, search.forType(resource.resourceType), { baseUrl });
      const customParameters = new CustomSearchParameters(search);
      const guard = new AccessGuard(store, {
        compartments: definitions.compartmentDefinitions,
        references: (resource) => (indexer(resource) as SearchIndex).ref ?? [],
        parseQuery: (type, query) => scopeQueryCriteria(search, type, query, baseUrl),
      });
      const watcher = new TerminologyWatcher(customParameters);
      const service = new ResourceService(store, definitions, createSchemaValidator(), indexer, watcher, guard);
      const operations = new OperationRegistry(definitions.resourceTypes);
      registerStandardOperations(operations, definitions);
      const terminology = createTerminology(service);
      watcher.attach(terminology);
      service.useProfileValidation(profileWriteCheck(definitions, terminology, config.requiredProfiles));
      const conditional = new ConditionalService({ source: service, registry: search, terminology }, baseUrl);
      const indexes = new IndexMaintenance(search, service, new MongoIndexFingerprintStore(client.db(config.mongodbDatabase)), definitions.resourceTypes, logger);
      const fhir: FhirContext = { config, definitions, service, operations, conditional, search, terminology, indexes };
      const db = client.db(config.mongodbDatabase);
      const revocationStore = new MongoRevocationStore(db);
      await revocationStore.init();
      const refreshTokenStore = new MongoRefreshTokenStore(db);
      await refreshTokenStore.init();
      const auth = await createAuthServices(config, { signingKeys: new MongoSigningKeyStore(db), revocations: revocationStore, refreshTokens: refreshTokenStore });
      const connected = await connectRedis(config.redisUrl, logger);
      redis = connected.redis;
      if (config.authEnabled && config.auditEnabled) {
        const journal = connected.reachable ? new RedisAuditJournal(redis, `${config.redisPrefix}audit:journal`) : undefined;
        fhir.auditor = new Auditor(new AuditLog((events) => service.createTrusted(events.map(({ event, json }) => ({ resource: event, json }))), logger, journal, config.auditFlushMs), guard);
      }
      const transport = options.mailTransport ?? mailTransportFor(config.smtpUrl, logger);
      emails = await startEmailQueue({ redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, from: config.mailFrom, transport, logger, redisReachable: connected.reachable });
      const accountStore = new MongoAccountStore(db);
      await accountStore.init();
      attachLicenseNumberStore(service, await new MongoLicenseNumberStore(db).init());
      const accounts = new AccountService(accountStore, emails, fhirIdentities(service), accountSettings(config), logger);
      const smartStores = mongoSmartStores(db);
      await smartStores.init();
      const smart = new SmartServer({
        baseUrl,
        auth,
        stores: smartStores,
        accounts: () => accounts,
        resourceExists: async (type, id) => {
          const found = await store.read(type, id);
          return found !== undefined && !found.deleted;
        },
        patientOf: (fhirUser) => fhirIdentities(service).patientOf(fhirUser),
      });
      const container = new Container(config, logger, store, definitions, fhir, client, engine, auth, redis, emails, accounts, smart);
      await container.init(customParameters);
      const reminders = new MongoLicenseReminderStore(db);
      await reminders.init();
      const contacts = new MongoLicenseContactStore(db);
      licenseLifecycle = await startLicenseLifecycle({ fhir, emails, reminders, accountEmail: (fhirUser) => contacts.accountEmail(fhirUser), logger, redisReachable: connected.reachable });
      container.licenseLifecycle = licenseLifecycle;
      await accounts.ensureAdmin();
      const recovered = await fhir.auditor?.recover();
      if (recovered) logger.warn({ recovered }, 'stored AuditEvents an earlier process left in the audit journal');
      return container;
    } catch (err) {
      await licenseLifecycle?.close().catch(() => undefined);
      await emails?.close().catch(() => undefined);
      redis?.disconnect();
      await client.close().catch(() => undefined);
      await engine?.stop().catch(() => undefined);
      throw err;
    }
  }

  private async init(customParameters: CustomSearchParameters): Promise<void> {
    const started = Date.now();
    await this.store.init(this.definitions.resourceTypes);
    this.logger.info(
      { transactions: this.store.supportsTransactions, ms: Date.now() - started },
      this.store.supportsTransactions ? 'store ready; multi-document transactions available' : 'store ready; no multi-document transactions',
    );
    // The stored custom parameters count in the fingerprints the indexes are checked against.
    const loaded = await customParameters.load(this.fhir.service, this.logger);
    if (loaded > 0) this.logger.info({ loaded }, 'registered the stored custom SearchParameters');
    // Before seeding, which indexes what it stores with the current definitions.
    await this.fhir.indexes?.reindexStale();
    if (this.config.seedDefinitions) {
      const stored = await this.store.seed(this.conformanceResources(), (resource) => this.fhir.service.indexValues(resource));
      if (stored > 0) this.logger.info({ stored }, 'stored the R4 conformance resources');
      const refreshed = await this.refreshProfiles();
      if (refreshed > 0) this.logger.info({ refreshed }, 'stored new versions of changed profiles/ and terminology/ resources');
    }
  }

  /** Seeding adds only what is missing; a file in profiles/ or terminology/ changed since is stored again as a new version. */
  private async refreshProfiles(): Promise<number> {
    const ours = this.definitions.profiles;
    const withoutMeta = (r: Resource) => JSON.stringify({ ...r, meta: undefined });
    let refreshed = 0;
    for (const resource of [...ours.structureDefinitions, ...ours.searchParameters, ...ours.operationDefinitions, ...localTerminology().resources]) {
      const current = await this.fhir.service.read(resource.resourceType, resource.id!).catch(() => undefined);
      if (current && withoutMeta(current.resource) === withoutMeta(resource)) continue;
      await this.fhir.service.update(resource.resourceType, resource.id!, resource);
      refreshed++;
    }
    return refreshed;
  }

  /** The R4 definitions and ours (`profiles/`, `terminology/`) the server runs on, served as its own conformance resources. */
  private conformanceResources(): Array<Resource & { id: string }> {
    const d = this.definitions;
    const ours = d.profiles;
    const all = [...d.structureDefinitions, ...d.searchParameters, ...d.compartmentDefinitions, ...d.operationDefinitions, ...ours.structureDefinitions, ...ours.searchParameters, ...ours.operationDefinitions, ...localTerminology().resources];
    return all.filter((r): r is typeof r & { id: string } => typeof r.id === 'string' && isValidId(r.id)) as Array<
      Resource & { id: string }
    >;
  }

  async close(): Promise<void> {
    await this.fhir.indexes?.close();
    await this.fhir.auditor?.close().catch((err: unknown) => this.logger.error({ err }, 'AuditEvents buffered at shutdown could not be stored'));
    await this.licenseLifecycle?.close();
    await this.emails.close();
    this.redis.disconnect();
    await this.mongoClient.close();
    await this.engine?.stop();
  }
}
