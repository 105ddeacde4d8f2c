/**
 * `private_key_jwt` client authentication (RFC 7523, SMART Backend Services): a JWT signed
 * with the client's key (RS384 or ES384), `iss` = `sub` = client_id, `aud` = our token
 * endpoint, `exp` at most five minutes ahead, and a `jti` never seen before from that client.
 */
import jwt from 'jsonwebtoken';
import type { SmartClient } from './clients';
import type { ClientJwks, JwksFetcher } from './client-keys';
import { InvalidJwks, candidateKeys, isAssertionAlgorithm } from './client-keys';
import { invalidClient } from './oauth-errors';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Assertion ids already used, kept until the assertion would have expired anyway. */
export interface AssertionJtiStore {
  /** Records (client, jti); false when it was already recorded. */
  remember(clientId: string, jti: string, expiresAt: Date): Promise<boolean>;
}

const MAX_LIFETIME_SECONDS = 300;
/** Clock skew allowed between the client and us. */
const SKEW_SECONDS = 30;

interface Header {
  alg?: unknown;
  kid?: unknown;
  jku?: unknown;
}

/** The unverified header and claims, to find the client and its key; undefined when not a JWT. */
export function peekAssertion(assertion: string): { header: Header; payload: Record<string, unknown> } | undefined {
  if (typeof assertion !== 'string' || assertion.length > 16_384) return undefined;
  const decoded = jwt.decode(assertion, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object' || decoded.payload === null) return undefined;
  return { header: decoded.header as Header, payload: decoded.payload as Record<string, unknown> };
}

export class ClientAssertions {
  constructor(
    private readonly fetcher: JwksFetcher,
    private readonly jtis: AssertionJtiStore,
    /** Our token endpoint URL: the only accepted `aud`. */
    private readonly tokenEndpoint: string,
  ) {}

  /** Checks `assertion` for `client`; throws invalid_client with the reason. */
  async verify(assertion: string, client: SmartClient): Promise<void> {
    const peeked = peekAssertion(assertion);
    if (!peeked) throw invalidClient('client_assertion is not a JWT');
    const { header } = peeked;
    if (!isAssertionAlgorithm(header.alg)) throw invalidClient('client_assertion must be signed with RS384 or ES384');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    if (header.jku !== undefined && header.jku !== client.jwksUri) throw invalidClient('client_assertion names a jku that is not the registered jwks_uri');

    let keys = candidateKeys(await this.jwksOf(client), header.alg, kid);
    if (keys.length === 0 && client.jwksUri) keys = candidateKeys(await this.jwksOf(client, true), header.alg, kid);
    if (keys.length === 0) throw invalidClient('no registered key of the client matches the client_assertion (kid, alg)');

    let claims: jwt.JwtPayload | undefined;
    let failure = 'the client_assertion signature does not verify';
    for (const key of keys) {
      try {
        claims = jwt.verify(assertion, key, {
          algorithms: [header.alg],
          audience: this.tokenEndpoint,
          issuer: client.clientId,
          subject: client.clientId,
          clockTolerance: SKEW_SECONDS,
        }) as jwt.JwtPayload;
        break;
      } catch (err) {
        const e = err as Error;
        if (e.name === 'TokenExpiredError') failure = 'the client_assertion has expired';
        else if (e.name === 'NotBeforeError') failure = 'the client_assertion is not valid yet';
        else if (/audience/.test(e.message)) failure = `the client_assertion aud must be the token endpoint ${this.tokenEndpoint}`;
        else if (/issuer|subject/.test(e.message)) failure = 'the client_assertion iss and sub must be the client_id';
      }
    }
    if (!claims) throw invalidClient(failure);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number') throw invalidClient('the client_assertion needs an exp');
    if (claims.exp > now + MAX_LIFETIME_SECONDS + SKEW_SECONDS) throw invalidClient('the client_assertion exp must be at most five minutes ahead');
    if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 256) throw invalidClient('the client_assertion needs a jti');
    const expiresAt = new Date((claims.exp + SKEW_SECONDS) * 1000);
    if (!(await this.jtis.remember(client.clientId, claims.jti, expiresAt))) throw invalidClient('the client_assertion jti was already used');
  }

  private async jwksOf(client: SmartClient, refresh = false): Promise<ClientJwks> {
    if (client.jwks) return client.jwks;
    if (!client.jwksUri) throw invalidClient('the client has no registered keys');
    try {
      return await this.fetcher.get(client.jwksUri, refresh);
    } catch (err) {
      if (err instanceof InvalidJwks) throw invalidClient(`the client keys are unavailable: ${err.message}`);
      throw err;
    }
  }
}
