/**
 * Who is calling the token, revocation and introspection endpoints: a confidential-symmetric
 * client with HTTP Basic (client_secret_basic), a confidential-asymmetric client with a signed
 * assertion (private_key_jwt), or a public client naming itself with `client_id`. One method per
 * request; `client_secret_post` is not supported.
 */
import type { SmartClient } from './clients';
import type { ClientRegistry } from './clients';
import type { ClientAssertions } from './client-assertion';
import { JWT_BEARER, peekAssertion } from './client-assertion';
import { OAuthError, invalidClient } from './oauth-errors';

export type FormParams = Record<string, string>;

export interface AuthenticatedClient {
  client: SmartClient;
  /** False for a public client, which only named itself. */
  authenticated: boolean;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header === undefined ? null : /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return undefined;
  }
}

export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientRegistry,
    private readonly assertions: ClientAssertions,
  ) {}

  async authenticate(authorization: string | undefined, params: FormParams): Promise<AuthenticatedClient> {
    const basicHeader = authorization !== undefined && /^Basic /i.test(authorization);
    const hasAssertion = params.client_assertion !== undefined || params.client_assertion_type !== undefined;
    if (basicHeader && hasAssertion) throw new OAuthError('invalid_request', 'use one client authentication method, not several');
    if (params.client_secret !== undefined) throw invalidClient('client_secret_post is not supported: send the secret with HTTP Basic (client_secret_basic)');

    if (basicHeader) {
      const credentials = basicCredentials(authorization);
      if (!credentials) throw invalidClient('the Basic credentials cannot be read', true);
      if (params.client_id !== undefined && params.client_id !== credentials.id) throw new OAuthError('invalid_request', 'client_id does not match the Basic credentials');
      const client = await this.clients.find(credentials.id);
      if (!client || client.type !== 'confidential-symmetric' || !this.clients.checkSecret(client, credentials.secret)) {
        throw invalidClient('client authentication failed', true);
      }
      return { client, authenticated: true };
    }

    if (hasAssertion) {
      if (params.client_assertion_type !== JWT_BEARER) throw invalidClient(`client_assertion_type must be ${JWT_BEARER}`);
      if (!params.client_assertion) throw invalidClient('client_assertion is missing');
      const iss = peekAssertion(params.client_assertion)?.payload.iss;
      if (typeof iss !== 'string') throw invalidClient('client_assertion is not a JWT with an iss');
      if (params.client_id !== undefined && params.client_id !== iss) throw new OAuthError('invalid_request', 'client_id does not match the client_assertion');
      const client = await this.clients.find(iss);
      if (!client) throw invalidClient('client authentication failed');
      if (client.type !== 'confidential-asymmetric') throw invalidClient('this client does not authenticate with private_key_jwt');
      await this.assertions.verify(params.client_assertion, client);
      return { client, authenticated: true };
    }

    if (params.client_id !== undefined) {
      const client = await this.clients.find(params.client_id);
      if (!client) throw invalidClient('unknown client');
      if (client.type !== 'public') throw invalidClient('this client must authenticate (client_secret_basic or private_key_jwt)');
      return { client, authenticated: false };
    }
    throw invalidClient('client authentication is required');
  }
}
