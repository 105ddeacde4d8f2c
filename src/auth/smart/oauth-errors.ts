/**
 * OAuth 2.0 errors (RFC 6749 §5.2, RFC 7009, RFC 7662, RFC 7591): a JSON body
 * `{error, error_description}` with the status the RFCs give. Descriptions are written for the
 * client developer and never carry internal details.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'not_found'
  | 'too_many_requests';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  get body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** `invalid_client` is a 401; with HTTP Basic credentials it carries the Basic challenge (RFC 6749 §5.2). */
export function invalidClient(description: string, basic = false): OAuthError {
  return new OAuthError('invalid_client', description, 401, basic ? { 'WWW-Authenticate': 'Basic realm="baobab"' } : {});
}
