/** The authentication services the container builds once and the HTTP layer uses. */
import type { Config } from '../config/config';
import { AccessTokens } from './access-tokens';
import type { RefreshTokenStore } from './refresh-tokens';
import { RefreshTokens } from './refresh-tokens';
import type { RevocationStore } from './revocations';
import { TokenRevocations } from './revocations';
import type { SigningKey, SigningKeyStore } from './signing-keys';
import { loadSigningKey } from './signing-keys';

export interface AuthStores {
  signingKeys: SigningKeyStore;
  revocations: RevocationStore;
  refreshTokens: RefreshTokenStore;
}

export interface AuthServices {
  tokens: AccessTokens;
  revocations: TokenRevocations;
  refreshTokens: RefreshTokens;
  /** The key that signs access tokens, also used for SMART id_tokens. */
  key: SigningKey;
}

export async function createAuthServices(config: Config, stores: AuthStores): Promise<AuthServices> {
  const revocations = new TokenRevocations(stores.revocations);
  await revocations.start();
  const key = await loadSigningKey(config.jwtPrivateKey, stores.signingKeys);
  const tokens = new AccessTokens(key, config.baseUrl, revocations, config.accessTokenTtlSeconds);
  const refreshTokens = new RefreshTokens(stores.refreshTokens, config.refreshTokenTtlSeconds);
  return { tokens, revocations, refreshTokens, key };
}
