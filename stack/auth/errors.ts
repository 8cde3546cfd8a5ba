/**
 * GoTrue's errors: an HTTP status, an error_code from apierrors/errorcode.go and a message.
 * Rendered in the client's API version: `{code, error_code, msg}` by default, `{code, message}`
 * (code = the error code) for clients sending X-Supabase-Api-Version: 2024-01-01 (supabase-js).
 */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export const badRequest = (code: string, msg: string) => new AuthError(400, code, msg);
export const unauthorized = (code: string, msg: string) => new AuthError(401, code, msg);
export const forbidden = (code: string, msg: string) => new AuthError(403, code, msg);
export const notFound = (code: string, msg: string) => new AuthError(404, code, msg);
export const unprocessable = (code: string, msg: string) => new AuthError(422, code, msg);
export const tooManyRequests = (code: string, msg: string) => new AuthError(429, code, msg);
export const conflict = (msg: string) => new AuthError(409, 'conflict', msg);
export const unexpected = (msg = 'Unexpected failure, please check server logs for more information') =>
  new AuthError(500, 'unexpected_failure', msg);

/** A weak password: 422 weak_password with the failed rules as reasons. */
export function weakPassword(msg: string, reasons: string[]): AuthError {
  return new AuthError(422, 'weak_password', msg, { weak_password: { reasons } });
}

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = Date.parse('2024-01-01T00:00:00Z');

/** The closest API version at or below the one the client asked for (null: the initial one). */
export function requestedApiVersion(header: string | undefined | null): '2024-01-01' | null {
  if (!header || !/^\d{4}-\d{2}-\d{2}$/.test(header.trim())) return null;
  const t = Date.parse(`${header.trim()}T00:00:00Z`);
  return Number.isFinite(t) && t >= API_VERSION_2024 ? '2024-01-01' : null;
}

export function errorBody(err: AuthError, apiVersion: '2024-01-01' | null): Record<string, unknown> {
  if (err instanceof OAuthError) return { error: err.oauthError, error_description: err.description || undefined };
  return apiVersion
    ? { code: err.errorCode, message: err.message, ...err.extra }
    : { code: err.status, error_code: err.errorCode, msg: err.message, ...err.extra };
}

/** OAuth2-style errors GoTrue still returns in a few places: `{error, error_description}`, 400. */
export class OAuthError extends AuthError {
  constructor(readonly oauthError: string, readonly description: string) {
    super(400, oauthError, description);
    this.name = 'OAuthError';
  }
}
