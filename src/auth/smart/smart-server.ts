/** The SMART App Launch 2.0 authorization server, assembled from its parts (built once by the container). */
import type { AuthServices } from '../auth-services';
import type { CredentialChecker } from '../accounts/types';
import type { AssertionJtiStore } from './client-assertion';
import { ClientAssertions } from './client-assertion';
import { ClientAuthenticator } from './client-authentication';
import { JwksFetcher } from './client-keys';
import type { ClientStore } from './clients';
import { ClientRegistry } from './clients';
import type { AuthorizationCodeStore } from './authorization-codes';
import { AuthorizationCodes } from './authorization-codes';
import type { PendingAuthorizationStore } from './authorization-requests';
import { AuthorizationFlow } from './authorization-flow';
import { IdTokens } from './id-tokens';
import type { LaunchContextStore } from './launch-contexts';
import { LaunchContexts } from './launch-contexts';
import { TokenEndpoint } from './token-endpoint';
import { TokenIntrospection } from './token-introspection';
import type { SmartEndpoints } from './well-known';
import { smartEndpoints } from './well-known';

export interface SmartStores {
  clients: ClientStore;
  codes: AuthorizationCodeStore;
  launches: LaunchContextStore;
  pending: PendingAuthorizationStore;
  jtis: AssertionJtiStore;
}

export interface SmartServerOptions {
  baseUrl: string;
  auth: AuthServices;
  stores: SmartStores;
  /** The account service; a function because it may be built after this server. */
  accounts: () => CredentialChecker | undefined;
  /** Whether a current (not deleted) resource exists: launch and patient-picker checks. */
  resourceExists: (type: string, id: string) => Promise<boolean>;
  /** The patient a patient account acts for (its Patient, or a RelatedPerson's patient). */
  patientOf: (fhirUser: string) => Promise<string | undefined>;
}

export class SmartServer {
  readonly endpoints: SmartEndpoints;
  readonly clients: ClientRegistry;
  readonly launches: LaunchContexts;
  readonly flow: AuthorizationFlow;
  readonly tokenEndpoint: TokenEndpoint;
  readonly introspection: TokenIntrospection;
  readonly resourceExists: (type: string, id: string) => Promise<boolean>;
  readonly auth: AuthServices;

  constructor(options: SmartServerOptions) {
    this.auth = options.auth;
    this.endpoints = smartEndpoints(options.baseUrl);
    this.resourceExists = options.resourceExists;
    this.clients = new ClientRegistry(options.stores.clients);
    this.launches = new LaunchContexts(options.stores.launches);
    const assertions = new ClientAssertions(new JwksFetcher(), options.stores.jtis, this.endpoints.token);
    const authenticator = new ClientAuthenticator(this.clients, assertions);
    const codes = new AuthorizationCodes(options.stores.codes, async (issued) => {
      await this.auth.tokens.revoke({ tokenId: issued.tokenId, expiresAt: Math.ceil(issued.tokenExpiresAt.getTime() / 1000) });
      if (issued.refreshFamily) await this.auth.refreshTokens.revokeFamily(issued.refreshFamily);
    });
    this.flow = new AuthorizationFlow({
      clients: this.clients,
      launches: this.launches,
      pending: options.stores.pending,
      codes,
      accounts: options.accounts,
      resourceExists: options.resourceExists,
      patientOf: options.patientOf,
      audience: this.endpoints.issuer,
    });
    const idTokens = new IdTokens(options.auth.key, this.endpoints.issuer, 3600);
    this.tokenEndpoint = new TokenEndpoint({
      authenticator,
      clients: this.clients,
      codes,
      tokens: options.auth.tokens,
      refreshTokens: options.auth.refreshTokens,
      idTokens,
      accounts: options.accounts,
    });
    this.introspection = new TokenIntrospection(authenticator, options.auth.tokens, options.auth.refreshTokens);
  }
}
