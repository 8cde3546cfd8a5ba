import type { OpenAPIV3 } from 'openapi-types';
import { arr, bool, int, json, jsonBody, obj, pathParam, query, ref, security, str } from './schema-helpers.js';

// GoTrue's endpoints as supabase-js calls them (supabase/auth openapi.yaml; auth-js
// GoTrueClient.ts and GoTrueAdminApi.ts). Error bodies are GoTrue's {code, error_code, msg}.
const tags = ['Auth'];
const authError: OpenAPIV3.ResponseObject = json(ref('AuthError'), 'GoTrue error');
const errors = { 400: authError, 401: authError, 422: authError, 429: authError };
const adminNote = 'Requires the `service_role` key as bearer token: never call it from a browser.';

export const authSchemas: Record<string, OpenAPIV3.SchemaObject> = {
  AuthError: obj({ code: int('HTTP status'), error_code: str('Machine-readable code, e.g. `invalid_credentials`, `weak_password`, `over_email_send_rate_limit`'), msg: str() }),
  User: obj({
    id: str(undefined, { format: 'uuid' }), aud: str(), role: str(), email: str(undefined, { format: 'email' }),
    email_confirmed_at: str(undefined, { format: 'date-time', nullable: true }), phone: str(), last_sign_in_at: str(undefined, { format: 'date-time', nullable: true }),
    app_metadata: obj({ provider: str(), providers: arr(str()) }), user_metadata: obj({}), identities: arr(obj({})),
    created_at: str(undefined, { format: 'date-time' }), updated_at: str(undefined, { format: 'date-time' }), is_anonymous: bool(),
  }, ['id', 'aud', 'role']),
  Session: obj({
    access_token: str('JWT to send as `Authorization: Bearer`'), token_type: str(undefined, { enum: ['bearer'] }), expires_in: int('seconds'),
    expires_at: int('unix time'), refresh_token: str(), user: ref('User'),
  }, ['access_token', 'token_type', 'expires_in', 'refresh_token', 'user']),
  Credentials: obj({ email: str(undefined, { format: 'email' }), phone: str(), password: str() }),
  Factor: obj({
    id: str(undefined, { format: 'uuid' }), friendly_name: str(), factor_type: str(undefined, { enum: ['totp', 'phone', 'webauthn'] }),
    status: str(undefined, { enum: ['unverified', 'verified'] }), created_at: str(undefined, { format: 'date-time' }), updated_at: str(undefined, { format: 'date-time' }),
  }, ['id', 'factor_type', 'status']),
};

// PKCE (`flowType: 'pkce'`, the @supabase/ssr default): the emailed link redirects with ?code=,
// exchanged at /token?grant_type=pkce with the verifier.
const pkce = { code_challenge: str('S256 (base64url SHA-256 of the verifier) or plain; 43-128 characters'), code_challenge_method: str(undefined, { enum: ['s256', 'plain'] }) };
const factorPath = pathParam('factor_id', 'The factor\'s id (uuid)');

const emailPassword = obj({ email: str(undefined, { format: 'email' }), password: str(), data: obj({}, [], 'user_metadata to store'), gotrue_meta_security: obj({ captcha_token: str() }) }, ['password']);

export const authPaths: OpenAPIV3.PathsObject = {
  '/auth/v1/signup': {
    post: {
      tags, operationId: 'auth_signup', summary: 'Sign up with email and password', security: security.apikey,
      description: 'Creates a user. With email confirmations off the answer is a session; with them on, the user (and a confirmation email is sent).',
      requestBody: jsonBody({ ...emailPassword, properties: { ...emailPassword.properties, ...pkce } }),
      responses: { 200: json({ oneOf: [ref('Session'), ref('User')] }), ...errors },
    },
  },
  '/auth/v1/token': {
    post: {
      tags, operationId: 'auth_token', summary: 'Sign in (password) or refresh a session', security: security.apikey,
      parameters: [query('grant_type', str(undefined, { enum: ['password', 'refresh_token', 'pkce'] }), undefined, true)],
      requestBody: jsonBody(obj({ email: str(), phone: str(), password: str(), refresh_token: str(), auth_code: str(), code_verifier: str() })),
      responses: { 200: json(ref('Session')), ...errors },
    },
  },
  '/auth/v1/logout': {
    post: {
      tags, operationId: 'auth_logout', summary: 'Sign out', security: security.user,
      parameters: [query('scope', str(undefined, { enum: ['global', 'local', 'others'] }), 'Which sessions end (default global)')],
      responses: { 204: { description: 'Signed out' }, ...errors },
    },
  },
  '/auth/v1/user': {
    get: { tags, operationId: 'auth_get_user', summary: 'The signed-in user', security: security.user, responses: { 200: json(ref('User')), ...errors } },
    put: {
      tags, operationId: 'auth_update_user', summary: 'Update email, password or metadata of the signed-in user', security: security.user,
      description: 'With `secure_password_change`, a session older than 24 hours needs `nonce` (the code /reauthenticate mails) to change the password.',
      requestBody: jsonBody(obj({ email: str(), password: str(), nonce: str(), data: obj({}), ...pkce })),
      responses: { 200: json(ref('User')), ...errors },
    },
  },
  '/auth/v1/recover': {
    post: {
      tags, operationId: 'auth_recover', summary: 'Send a password-recovery email', security: security.apikey,
      parameters: [query('redirect_to', str(undefined, { format: 'uri' }))],
      requestBody: jsonBody(obj({ email: str(undefined, { format: 'email' }), gotrue_meta_security: obj({ captcha_token: str() }), ...pkce }, ['email'])),
      responses: { 200: json(obj({})), ...errors },
    },
  },
  '/auth/v1/otp': {
    post: {
      tags, operationId: 'auth_otp', summary: 'Send a magic link / one-time code', security: security.apikey,
      requestBody: jsonBody(obj({ email: str(), phone: str(), create_user: bool(), data: obj({}), ...pkce })),
      responses: { 200: json(obj({})), ...errors },
    },
  },
  '/auth/v1/verify': {
    post: {
      tags, operationId: 'auth_verify', summary: 'Verify an emailed code or token hash', security: security.apikey,
      requestBody: jsonBody(obj({ type: str(undefined, { enum: ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'] }), email: str(), token: str(), token_hash: str() }, ['type'])),
      responses: { 200: json(ref('Session')), ...errors },
    },
    get: {
      tags, operationId: 'auth_verify_link', summary: 'Verify an email link, then redirect', security: security.none,
      parameters: [query('token', str(), undefined, true), query('type', str(), undefined, true), query('redirect_to', str())],
      responses: { 303: { description: 'Redirect to the site with the session in the URL fragment, or for a PKCE link (token pkce_…) with ?code= to exchange at /token?grant_type=pkce (errors in the fragment, and for PKCE in the query too)' } },
    },
  },
  '/auth/v1/resend': {
    post: {
      tags, operationId: 'auth_resend', summary: 'Resend a signup or email-change confirmation', security: security.apikey,
      requestBody: jsonBody(obj({ type: str(undefined, { enum: ['signup', 'email_change'] }), email: str(), ...pkce }, ['type', 'email'])),
      responses: { 200: json(obj({})), ...errors },
    },
  },
  '/auth/v1/settings': {
    get: {
      tags, operationId: 'auth_settings', summary: 'Public auth settings (providers, signup enabled)', security: security.apikey,
      responses: { 200: json(obj({ external: obj({}), disable_signup: bool(), mailer_autoconfirm: bool() })) },
    },
  },
  '/auth/v1/admin/users': {
    get: {
      tags, operationId: 'auth_admin_list_users', summary: 'List users (admin)', description: adminNote, security: security.serviceRole,
      parameters: [query('page', { type: 'integer' }), query('per_page', { type: 'integer' })],
      responses: { 200: json(obj({ users: arr(ref('User')), aud: str() })), ...errors },
    },
    post: {
      tags, operationId: 'auth_admin_create_user', summary: 'Create a user (admin)', description: adminNote, security: security.serviceRole,
      requestBody: jsonBody(obj({ email: str(), password: str(), email_confirm: bool(), user_metadata: obj({}), app_metadata: obj({}) })),
      responses: { 200: json(ref('User')), ...errors },
    },
  },
  '/auth/v1/admin/users/{user_id}': {
    parameters: [pathParam('user_id', 'The user\'s id (uuid)')],
    get: { tags, operationId: 'auth_admin_get_user', summary: 'Get a user (admin)', description: adminNote, security: security.serviceRole, responses: { 200: json(ref('User')), 404: authError, ...errors } },
    put: {
      tags, operationId: 'auth_admin_update_user', summary: 'Update a user (admin)', description: adminNote, security: security.serviceRole,
      requestBody: jsonBody(obj({ email: str(), password: str(), email_confirm: bool(), ban_duration: str(), user_metadata: obj({}), app_metadata: obj({}) })),
      responses: { 200: json(ref('User')), 404: authError, ...errors },
    },
    delete: { tags, operationId: 'auth_admin_delete_user', summary: 'Delete a user (admin)', description: adminNote, security: security.serviceRole, responses: { 200: json(obj({})), 404: authError, ...errors } },
  },
  '/auth/v1/admin/generate_link': {
    post: {
      tags, operationId: 'auth_admin_generate_link', summary: 'Make a signup/magic-link/recovery/invite link without sending it (admin)', description: adminNote, security: security.serviceRole,
      requestBody: jsonBody(obj({ type: str(undefined, { enum: ['signup', 'magiclink', 'recovery', 'invite', 'email_change_current', 'email_change_new'] }), email: str(), password: str(), data: obj({}), redirect_to: str() }, ['type', 'email'])),
      responses: { 200: json(obj({ action_link: str(), email_otp: str(), hashed_token: str(), verification_type: str(), redirect_to: str() })), ...errors },
    },
  },
  '/auth/v1/invite': {
    post: {
      tags, operationId: 'auth_admin_invite', summary: 'Invite a user by email (admin)', description: adminNote, security: security.serviceRole,
      requestBody: jsonBody(obj({ email: str(), data: obj({}) }, ['email'])),
      responses: { 200: json(ref('User')), ...errors },
    },
  },
  '/auth/v1/reauthenticate': {
    get: {
      tags, operationId: 'auth_reauthenticate', summary: 'Mail the signed-in user a nonce for a password change', security: security.user,
      responses: { 200: json(obj({})), ...errors },
    },
  },
  '/auth/v1/factors': {
    post: {
      tags, operationId: 'auth_mfa_enroll', summary: 'Enroll a TOTP factor (MFA)', security: security.user,
      description: 'Needs `[auth.mfa.totp] enroll_enabled`. With a verified factor already, only an aal2 session may enroll another.',
      requestBody: jsonBody(obj({ factor_type: str(undefined, { enum: ['totp', 'phone', 'webauthn'] }), friendly_name: str(), issuer: str() }, ['factor_type'])),
      responses: { 200: json(obj({ id: str(), type: str(), friendly_name: str(), totp: obj({ qr_code: str('SVG'), secret: str('base32'), uri: str('otpauth:// URI') }) })), 403: authError, ...errors },
    },
  },
  '/auth/v1/factors/{factor_id}/challenge': {
    parameters: [factorPath],
    post: {
      tags, operationId: 'auth_mfa_challenge', summary: 'Start a challenge for a factor', security: security.user,
      responses: { 200: json(obj({ id: str(), type: str(), expires_at: int('unix time') })), 404: authError, ...errors },
    },
  },
  '/auth/v1/factors/{factor_id}/verify': {
    parameters: [factorPath],
    post: {
      tags, operationId: 'auth_mfa_verify', summary: 'Verify a challenge with a TOTP code; the session becomes aal2', security: security.user,
      requestBody: jsonBody(obj({ challenge_id: str(undefined, { format: 'uuid' }), code: str() }, ['challenge_id', 'code'])),
      responses: { 200: json(ref('Session')), 404: authError, ...errors },
    },
  },
  '/auth/v1/factors/{factor_id}': {
    parameters: [factorPath],
    delete: {
      tags, operationId: 'auth_mfa_unenroll', summary: 'Unenroll a factor (a verified one needs an aal2 session)', security: security.user,
      responses: { 200: json(obj({ id: str() })), 404: authError, ...errors },
    },
  },
  '/auth/v1/admin/users/{user_id}/factors': {
    parameters: [pathParam('user_id', 'The user\'s id (uuid)')],
    get: { tags, operationId: 'auth_admin_list_factors', summary: 'List a user\'s MFA factors (admin)', description: adminNote, security: security.serviceRole, responses: { 200: json(arr(ref('Factor'))), 404: authError, ...errors } },
  },
  '/auth/v1/admin/users/{user_id}/factors/{factor_id}': {
    parameters: [pathParam('user_id', 'The user\'s id (uuid)'), factorPath],
    delete: { tags, operationId: 'auth_admin_delete_factor', summary: 'Delete a user\'s MFA factor (admin); its sessions drop to aal1', description: adminNote, security: security.serviceRole, responses: { 200: json(ref('Factor')), 404: authError, ...errors } },
  },
  '/auth/v1/user/identities/authorize': {
    get: {
      tags, operationId: 'auth_link_identity', summary: 'Link an OAuth identity (404 manual_linking_disabled unless enable_manual_linking)', security: security.user,
      parameters: [query('provider', str(), undefined, true)],
      responses: { 404: authError, ...errors },
    },
  },
  '/auth/v1/user/identities/{identity_id}': {
    parameters: [pathParam('identity_id', 'The identity\'s id (uuid)')],
    delete: {
      tags, operationId: 'auth_unlink_identity', summary: 'Unlink an identity (404 manual_linking_disabled unless enable_manual_linking)', security: security.user,
      responses: { 404: authError, ...errors },
    },
  },
  '/auth/v1/authorize': {
    get: {
      tags, operationId: 'auth_oauth_authorize', summary: 'Start an OAuth sign-in (no provider can be enabled locally: 400 validation_failed)', security: security.none,
      parameters: [query('provider', str(), undefined, true), query('redirect_to', str()), query('code_challenge', str()), query('code_challenge_method', str())],
      responses: { 400: authError },
    },
  },
  '/auth/v1/sso': {
    post: {
      tags, operationId: 'auth_sso', summary: 'Start a SAML SSO sign-in (SAML is disabled locally: 404 saml_provider_disabled)', security: security.apikey,
      requestBody: jsonBody(obj({ domain: str(), provider_id: str() })),
      responses: { 404: authError },
    },
  },
};
