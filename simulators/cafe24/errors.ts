/**
 * The error bodies the simulator sends, in one place.
 *
 * Admin API errors use the envelope of reference §5: `{"error":{"code":<status>,"message":"...","more_info":{}}}`.
 * `code` is numeric (real traffic, §5). Real 401 bodies were captured without `more_info`, so 401s omit it and the
 * rest carry `{}`: a connector has to treat `more_info` as optional, as the reference says.
 * The OAuth endpoints answer in flat OAuth style instead (`{"error":"invalid_grant","error_description":"..."}`,
 * §2.4). Exact texts are only known for the two 401 messages (§5) and the refresh/secret/redirect failures
 * (§2.4, S7); the others are ours and marked [U] in the README.
 */

export interface AdminErrorBody {
  error: { code: number; message: string; more_info?: Record<string, unknown> };
}

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** An Admin API failure; the router turns it into a response with the envelope above. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly includeMoreInfo = status !== 401,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }

  body(): AdminErrorBody {
    return this.includeMoreInfo
      ? { error: { code: this.status, message: this.message, more_info: {} } }
      : { error: { code: this.status, message: this.message } };
  }
}

/** An OAuth endpoint failure (token, revoke, authorize). */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }

  body(): OAuthErrorBody {
    return { error: this.error, error_description: this.description };
  }
}

/** Admin API messages. The two 401 texts are the real ones (§5, S7); the others name what went wrong. */
export const ADMIN_MESSAGES = {
  accessTokenExpired: 'access_token time expired. (invalid_token)',
  accessTokenInvalid: 'Invalid access_token (invalid_token)',
  insufficientScope: (scope: string) => `Insufficient scope: this API requires ${scope}. (insufficient_scope)`,
  notFoundApi: 'No API found. Check the request URL.',
  notFoundResource: (what: string) => `The requested resource was not found. (${what})`,
  methodNotAllowed: 'The request method is not supported for this API.',
  unencodedUrl: 'The request URL contains characters that are not URL-encoded.',
  invalidApiVersion: (value: string) => `X-Cafe24-Api-Version '${value}' is not a valid version. (header.X-Cafe24-Api-Version)`,
  tooManyRequestsBucket: 'Too Many Requests. The call limit of the API bucket has been exceeded.',
  tooManyRequestsUsage: 'Too Many Requests. The API usage limit has been exceeded.',
  tooManyRequestsAbnormal: 'Too Many Requests. Abnormal traffic has been detected from this client.',
  internalError: 'Internal Server Error. Please try again later.',
  serviceUnavailable: 'Service Unavailable. The API is temporarily unavailable.',
  gatewayTimeout: 'Gateway Timeout.',
} as const;

export const invalidParameter = (parameter: string, reason: string) =>
  new AdminApiError(422, `${reason} (parameter.${parameter})`);

/** OAuth error texts; `Invalid refresh_token` and `Invalid client_secret` are the observed ones (§2.4, S7). */
export const OAUTH_ERRORS = {
  invalidRefreshToken: () => new OAuthError(401, 'invalid_grant', 'Invalid refresh_token'),
  invalidClientSecret: () => new OAuthError(401, 'invalid_client', 'Invalid client_secret'),
  invalidClientId: () => new OAuthError(401, 'invalid_client', 'Invalid client_id'),
  invalidCode: () => new OAuthError(400, 'invalid_grant', 'Invalid authorization code'),
  invalidRedirectUri: () => new OAuthError(400, 'invalid_request', 'The redirect_uri added by Cafe24 Developers is invalid.'),
  unsupportedGrantType: (grantType: string) =>
    new OAuthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType || '(missing)'}`),
  missingParameter: (name: string) => new OAuthError(400, 'invalid_request', `The ${name} parameter is required.`),
  invalidScope: (scope: string) => new OAuthError(400, 'invalid_scope', `The scope ${scope} is not allowed for this app.`),
  unsupportedResponseType: () => new OAuthError(400, 'unsupported_response_type', 'response_type must be code.'),
  badContentType: () =>
    new OAuthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.'),
} as const;
