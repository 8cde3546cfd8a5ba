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
};

const emailPassword = obj({ email: str(undefined, { format: 'email' }), password: str(), data: obj({}, [], 'user_metadata to store'), gotrue_meta_security: obj({ captcha_token: str() }) }, ['password']);

export const authPaths: OpenAPIV3.PathsObject = {
  '/auth/v1/signup': {
    post: {
      tags, operationId: 'auth_signup', summary: 'Sign up with email and password', security: security.apikey,
      description: 'Creates a user. With email confirmations off the answer is a session; with them on, the user (and a confirmation email is sent).',
      requestBody: jsonBody(emailPassword),
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
      requestBody: jsonBody(obj({ email: str(), password: str(), nonce: str(), data: obj({}) })),
      responses: { 200: json(ref('User')), ...errors },
    },
  },
  '/auth/v1/recover': {
    post: {
      tags, operationId: 'auth_recover', summary: 'Send a password-recovery email', security: security.apikey,
      parameters: [query('redirect_to', str(undefined, { format: 'uri' }))],
      requestBody: jsonBody(obj({ email: str(undefined, { format: 'email' }), gotrue_meta_security: obj({ captcha_token: str() }) }, ['email'])),
      responses: { 200: json(obj({})), ...errors },
    },
  },
  '/auth/v1/otp': {
    post: {
      tags, operationId: 'auth_otp', summary: 'Send a magic link / one-time code', security: security.apikey,
      requestBody: jsonBody(obj({ email: str(), phone: str(), create_user: bool(), data: obj({}) })),
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
      responses: { 303: { description: 'Redirect to the site with the session in the URL fragment (or an error)' } },
    },
  },
  '/auth/v1/resend': {
    post: {
      tags, operationId: 'auth_resend', summary: 'Resend a signup or email-change confirmation', security: security.apikey,
      requestBody: jsonBody(obj({ type: str(undefined, { enum: ['signup', 'email_change'] }), email: str() }, ['type', 'email'])),
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
};
