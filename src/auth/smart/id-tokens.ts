/**
 * OpenID Connect id_tokens for `openid` (SMART `sso-openid-connect`): RS256 with our key (the
 * one /.well-known/jwks.json serves), `iss` the FHIR base URL, `aud` the client_id, `fhirUser`
 * the absolute URL of the user's FHIR record when `fhirUser` was granted, and the request's nonce.
 */
import jwt from 'jsonwebtoken';
import type { SigningKey } from '../signing-keys';

export interface IdTokenClaims {
  accountId: string;
  clientId: string;
  /** Relative (`Patient/123`) or absolute. */
  fhirUser?: string;
  nonce?: string;
}

export class IdTokens {
  constructor(
    private readonly key: SigningKey,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {}

  /** The absolute URL of a FHIR identity. */
  fhirUserUrl(fhirUser: string): string {
    return /^https?:\/\//.test(fhirUser) ? fhirUser : `${this.issuer}/${fhirUser}`;
  }

  sign(claims: IdTokenClaims): string {
    const payload: Record<string, string> = {};
    if (claims.fhirUser) payload.fhirUser = this.fhirUserUrl(claims.fhirUser);
    if (claims.nonce) payload.nonce = claims.nonce;
    return jwt.sign(payload, this.key.privateKey, {
      algorithm: 'RS256',
      keyid: this.key.kid,
      issuer: this.issuer,
      subject: claims.accountId,
      audience: claims.clientId,
      expiresIn: this.ttlSeconds,
    });
  }
}
