/**
 * GoTrue's errors: an HTTP status, an error_code from apierrors/errorcode.go and a message.
 * Rendered in the client's API version: `{code, error_code, msg}` by default, `{code, message}`
 * (code = the error code) for clients sending X-Supabase-Api-Version: 2024-01-01 (supabase-js).
 */
/**
 * GoTrue's error codes, the closed list of internal/api/apierrors/errorcode.go (supabase/auth):
 * an error the auth service raises names one of these, so a code GoTrue does not send cannot
 * be written.
 */
export type ErrorCode =
  | 'unknown'
  | 'unexpected_failure'
  | 'validation_failed'
  | 'bad_json'
  | 'email_exists'
  | 'phone_exists'
  | 'bad_jwt'
  | 'not_admin'
  | 'no_authorization'
  | 'user_not_found'
  | 'session_not_found'
  | 'session_expired'
  | 'refresh_token_not_found'
  | 'refresh_token_already_used'
  | 'flow_state_not_found'
  | 'flow_state_expired'
  | 'flow_state_already_used'
  | 'oauth_client_state_not_found'
  | 'oauth_client_state_expired'
  | 'oauth_invalid_state'
  | 'signup_disabled'
  | 'user_banned'
  | 'provider_email_needs_verification'
  | 'invite_not_found'
  | 'bad_oauth_state'
  | 'bad_oauth_callback'
  | 'oauth_provider_not_supported'
  | 'unexpected_audience'
  | 'single_identity_not_deletable'
  | 'email_conflict_identity_not_deletable'
  | 'identity_already_exists'
  | 'email_provider_disabled'
  | 'phone_provider_disabled'
  | 'too_many_enrolled_mfa_factors'
  | 'mfa_factor_name_conflict'
  | 'mfa_factor_not_found'
  | 'mfa_ip_address_mismatch'
  | 'mfa_challenge_expired'
  | 'mfa_verification_failed'
  | 'mfa_verification_rejected'
  | 'insufficient_aal'
  | 'captcha_failed'
  | 'saml_provider_disabled'
  | 'manual_linking_disabled'
  | 'sms_send_failed'
  | 'email_not_confirmed'
  | 'phone_not_confirmed'
  | 'saml_relay_state_not_found'
  | 'saml_relay_state_expired'
  | 'saml_idp_not_found'
  | 'saml_assertion_no_user_id'
  | 'saml_assertion_no_email'
  | 'user_already_exists'
  | 'sso_provider_not_found'
  | 'sso_provider_disabled'
  | 'saml_metadata_fetch_failed'
  | 'saml_idp_already_exists'
  | 'sso_domain_already_exists'
  | 'saml_entity_id_mismatch'
  | 'conflict'
  | 'provider_disabled'
  | 'user_sso_managed'
  | 'reauthentication_needed'
  | 'same_password'
  | 'reauthentication_not_valid'
  | 'current_password_invalid'
  | 'current_password_required'
  | 'otp_expired'
  | 'otp_disabled'
  | 'identity_not_found'
  | 'weak_password'
  | 'over_request_rate_limit'
  | 'over_email_send_rate_limit'
  | 'over_sms_send_rate_limit'
  | 'bad_code_verifier'
  | 'anonymous_provider_disabled'
  | 'hook_timeout'
  | 'hook_timeout_after_retry'
  | 'hook_payload_over_size_limit'
  | 'hook_payload_invalid_content_type'
  | 'request_timeout'
  | 'mfa_phone_enroll_not_enabled'
  | 'mfa_phone_verify_not_enabled'
  | 'mfa_totp_enroll_not_enabled'
  | 'mfa_totp_verify_not_enabled'
  | 'mfa_webauthn_enroll_not_enabled'
  | 'mfa_webauthn_verify_not_enabled'
  | 'mfa_verified_factor_exists'
  | 'invalid_credentials'
  | 'email_address_not_authorized'
  | 'email_address_invalid'
  | 'oauth_dynamic_client_registration_disabled'
  | 'email_address_not_provided'
  | 'feature_disabled'
  | 'oauth_client_not_found'
  | 'oauth_authorization_not_found'
  | 'oauth_consent_not_found'
  | 'request_entity_too_large'
  | 'custom_provider_not_found'
  | 'over_custom_provider_quota'
  | 'passkey_disabled'
  | 'too_many_passkeys'
  | 'webauthn_credential_not_found'
  | 'webauthn_challenge_not_found'
  | 'webauthn_challenge_expired'
  | 'webauthn_verification_failed'
  | 'webauthn_credential_exists';

/** The OAuth 2.0 error codes GoTrue still answers in `{error, error_description}` form. */
export type OAuthErrorCode = 'invalid_request';

/**
 * Messages GoTrue words the same way wherever it raises them (kept here so every route sends
 * the identical text).
 */
export const MESSAGES = {
  emailExists: 'A user with this email address has already been registered',
  unsupportedPhoneProvider: 'Unsupported phone provider',
  userBanned: 'User is banned',
  signupsDisabled: 'Signups not allowed for this instance',
  sessionMissing: 'Session from session_id claim in JWT does not exist',
  phoneLoginsDisabled: 'Phone logins are disabled',
  refreshTokenNotFound: 'Invalid Refresh Token: Refresh Token Not Found',
  refreshTokenNoSession: 'Invalid Refresh Token: No Valid Session Found',
  userIdNotUuid: 'user_id must be an UUID',
  verifyNeedsType: 'Verify requires a verification type',
  userWithEmailNotFound: 'User with this email not found',
  userNotFound: 'User not found',
  userAlreadyRegistered: 'User already registered',
  otpSignupsDisabled: 'Signups not allowed for otp',
  signupNeedsPassword: 'Signup requires a valid password',
  emailLoginsDisabled: 'Email logins are disabled',
  emailLinkInvalid: 'Email link is invalid or has expired',
  unexpectedFailure: 'Unexpected failure, please check server logs for more information',
} as const;

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: ErrorCode | OAuthErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export const badRequest = (code: ErrorCode, msg: string) => new AuthError(400, code, msg);
export const unauthorized = (code: ErrorCode, msg: string) => new AuthError(401, code, msg);
export const forbidden = (code: ErrorCode, msg: string) => new AuthError(403, code, msg);
export const notFound = (code: ErrorCode, msg: string) => new AuthError(404, code, msg);
export const unprocessable = (code: ErrorCode, msg: string) => new AuthError(422, code, msg);
export const tooManyRequests = (code: ErrorCode, msg: string) => new AuthError(429, code, msg);
export const conflict = (msg: string) => new AuthError(409, 'conflict', msg);
export const unexpected = (msg: string = MESSAGES.unexpectedFailure) =>
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
  constructor(readonly oauthError: OAuthErrorCode, readonly description: string) {
    super(400, oauthError, description);
    this.name = 'OAuthError';
  }
}
