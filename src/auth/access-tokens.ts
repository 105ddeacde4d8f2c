/**
 * Our access tokens: RS256 JWTs signed with the server key, verified on every request. Only
 * RS256 with our key is accepted (no `none`, no HMAC with the public key), and `iss`, `aud`,
 * `exp`, `nbf` and revocation are checked.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AuthContext, Role } from './auth-context';
import { isRole } from './auth-context';
import type { TokenRevocations } from './revocations';
import { resourceScopes, splitScopes } from './scopes';
import type { SigningKey } from './signing-keys';

/** Why a token was refused (error_description of the 401). */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

export interface TokenSubject {
  subject: string;
  kind: 'user' | 'client';
  role?: Role;
  clientId: string;
  /** Space-separated, as granted. */
  scope: string;
  fhirUser?: string;
  patient?: string;
}

export interface IssuedToken {
  accessToken: string;
  tokenId: string;
  /** Seconds. */
  expiresIn: number;
}

interface Claims {
  sub: string;
  kind: 'user' | 'client';
  role?: string;
  client_id: string;
  scope: string;
  fhirUser?: string;
  patient?: string;
  jti: string;
  exp: number;
}

/** Verified tokens remembered (oldest forgotten first). */
const MAX_VERIFIED = 10_000;

export class AccessTokens {
  private readonly verified = new Map<string, AuthContext>();

  constructor(
    private readonly key: SigningKey,
    /** `iss` and `aud`: the FHIR base URL (the resource server and its authorization server). */
    private readonly issuer: string,
    private readonly revocations: TokenRevocations,
    private readonly ttlSeconds: number,
  ) {}

  get jwks(): { keys: object[] } {
    return { keys: [this.key.jwk] };
  }

  issue(subject: TokenSubject, ttlSeconds = this.ttlSeconds): IssuedToken {
    const tokenId = randomUUID();
    const claims: Omit<Claims, 'exp'> = { sub: subject.subject, kind: subject.kind, client_id: subject.clientId, scope: subject.scope, jti: tokenId };
    if (subject.role) claims.role = subject.role;
    if (subject.fhirUser) claims.fhirUser = subject.fhirUser;
    if (subject.patient) claims.patient = subject.patient;
    const accessToken = jwt.sign(claims, this.key.privateKey, {
      algorithm: 'RS256',
      keyid: this.key.kid,
      issuer: this.issuer,
      audience: this.issuer,
      expiresIn: ttlSeconds,
      notBefore: 0,
    });
    return { accessToken, tokenId, expiresIn: ttlSeconds };
  }

  /**
   * The caller a bearer token stands for; InvalidTokenError when it is not ours, expired or revoked.
   * A token already verified is not checked again (an RS256 check costs more CPU than a whole
   * read): the exact same string maps to its context until it expires; revocation is still
   * checked on every use.
   */
  verify(token: string): AuthContext {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt * 1000 <= Date.now()) {
        this.verified.delete(token);
        throw new InvalidTokenError('the token has expired');
      }
      if (this.revocations.isRevoked(known.tokenId)) throw new InvalidTokenError('the token has been revoked');
      return known;
    }
    const context = this.verifySignature(token);
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, context);
    return context;
  }

  private verifySignature(token: string): AuthContext {
    let claims: Claims;
    try {
      claims = jwt.verify(token, this.key.publicKey, { algorithms: ['RS256'], issuer: this.issuer, audience: this.issuer }) as Claims;
    } catch (err) {
      const name = (err as Error).name;
      throw new InvalidTokenError(name === 'TokenExpiredError' ? 'the token has expired' : name === 'NotBeforeError' ? 'the token is not valid yet' : 'the token is invalid');
    }
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.scope !== 'string' || typeof claims.client_id !== 'string') {
      throw new InvalidTokenError('the token is invalid');
    }
    if (claims.kind !== 'user' && claims.kind !== 'client') throw new InvalidTokenError('the token is invalid');
    if (claims.role !== undefined && !isRole(claims.role)) throw new InvalidTokenError('the token is invalid');
    if (this.revocations.isRevoked(claims.jti)) throw new InvalidTokenError('the token has been revoked');
    const scopes = splitScopes(claims.scope);
    return {
      subject: claims.sub,
      kind: claims.kind,
      ...(claims.role ? { role: claims.role as Role } : {}),
      clientId: claims.client_id,
      scopes,
      resourceScopes: resourceScopes(scopes),
      ...(claims.fhirUser ? { fhirUser: claims.fhirUser } : {}),
      ...(claims.patient ? { patient: claims.patient } : {}),
      tokenId: claims.jti,
      expiresAt: claims.exp,
    };
  }

  revoke(context: Pick<AuthContext, 'tokenId' | 'expiresAt'>): Promise<void> {
    return this.revocations.revoke(context.tokenId, new Date(context.expiresAt * 1000));
  }
}
