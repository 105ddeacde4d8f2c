/**
 * Registered SMART clients (apps and backend services). Registration is by an admin
 * (POST /admin/clients); a confidential-symmetric client's secret is shown once and only its
 * hash is kept (the secret is 256 random bits, so a plain SHA-256 is enough).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ClientJwks } from './client-keys';
import type { ClientMetadata } from './client-metadata';
import { validateClientMetadata } from './client-metadata';
import { OAuthError } from './oauth-errors';

export type ClientType = 'public' | 'confidential-symmetric' | 'confidential-asymmetric';
export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

export interface SmartClient {
  clientId: string;
  name: string;
  type: ClientType;
  redirectUris: string[];
  grantTypes: GrantType[];
  /** The scopes the client may be granted (resource scopes cover narrower ones). */
  scopes: string[];
  /** confidential-symmetric: sha256 of the secret, base64url. */
  secretHash?: string;
  /** confidential-asymmetric: the keys inline, or where to fetch them. */
  jwks?: ClientJwks;
  jwksUri?: string;
  createdAt: Date;
  /** The admin account that registered it. */
  createdBy: string;
}

export interface ClientStore {
  /** False when the client id is taken. */
  insert(client: SmartClient): Promise<boolean>;
  find(clientId: string): Promise<SmartClient | undefined>;
  list(): Promise<SmartClient[]>;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** How the token endpoint authenticates each kind of client. */
export function authMethodOf(type: ClientType): string {
  return type === 'public' ? 'none' : type === 'confidential-symmetric' ? 'client_secret_basic' : 'private_key_jwt';
}

/** The registration as an admin sees it (never the secret hash). */
export function describeClient(client: SmartClient): Record<string, unknown> {
  return {
    client_id: client.clientId,
    name: client.name,
    type: client.type,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    scope: client.scopes.join(' '),
    token_endpoint_auth_method: authMethodOf(client.type),
    ...(client.jwks ? { jwks: client.jwks } : {}),
    ...(client.jwksUri ? { jwks_uri: client.jwksUri } : {}),
    created_at: client.createdAt.toISOString(),
  };
}

export class ClientRegistry {
  constructor(private readonly store: ClientStore) {}

  /** Registers a client from an admin's request body; the secret (confidential-symmetric) is returned this once. */
  async register(body: unknown, createdBy: string): Promise<{ client: SmartClient; secret?: string }> {
    const metadata: ClientMetadata = validateClientMetadata(body);
    const secret = metadata.type === 'confidential-symmetric' ? randomBytes(32).toString('base64url') : undefined;
    const client: SmartClient = {
      clientId: metadata.clientId ?? randomUUID(),
      name: metadata.name,
      type: metadata.type,
      redirectUris: metadata.redirectUris,
      grantTypes: metadata.grantTypes,
      scopes: metadata.scopes,
      ...(secret ? { secretHash: hashSecret(secret) } : {}),
      ...(metadata.jwks ? { jwks: metadata.jwks } : {}),
      ...(metadata.jwksUri ? { jwksUri: metadata.jwksUri } : {}),
      createdAt: new Date(),
      createdBy,
    };
    if (!(await this.store.insert(client))) throw new OAuthError('invalid_client_metadata', `client_id "${client.clientId}" is already registered`, 409);
    return { client, ...(secret ? { secret } : {}) };
  }

  find(clientId: string): Promise<SmartClient | undefined> {
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 200) return Promise.resolve(undefined);
    return this.store.find(clientId);
  }

  list(): Promise<SmartClient[]> {
    return this.store.list();
  }

  /** Constant-time check of a confidential-symmetric client's secret. */
  checkSecret(client: SmartClient, secret: string): boolean {
    if (!client.secretHash || typeof secret !== 'string' || secret.length > 500) return false;
    const expected = Buffer.from(client.secretHash);
    const actual = Buffer.from(hashSecret(secret));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
