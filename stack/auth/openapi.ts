import type { OpenAPIV3 } from 'openapi-types';
import { arr, bool, int, json, obj, pathParam, ref, str } from '../docs/schema-helpers.js';

// The pieces the auth endpoints' OpenAPI fragments share (each endpoint file documents its own
// routes as `paths`; stack/docs assembles them). GoTrue's endpoints as supabase-js calls them
// (supabase/auth openapi.yaml; auth-js GoTrueClient.ts and GoTrueAdminApi.ts). Error bodies
// are GoTrue's {code, error_code, msg}.
export const tags = ['Auth'];
export const authError: OpenAPIV3.ResponseObject = json(ref('AuthError'), 'GoTrue error');
export const errors = { 400: authError, 401: authError, 422: authError, 429: authError };
export const adminNote = 'Requires the `service_role` key as bearer token: never call it from a browser.';

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
export const pkce = { code_challenge: str('S256 (base64url SHA-256 of the verifier) or plain; 43-128 characters'), code_challenge_method: str(undefined, { enum: ['s256', 'plain'] }) };
export const factorPath = pathParam('factor_id', 'The factor\'s id (uuid)');
export const userIdParam = pathParam('id', 'The user\'s id (uuid)');

export const emailPassword = obj({ email: str(undefined, { format: 'email' }), password: str(), data: obj({}, [], 'user_metadata to store'), gotrue_meta_security: obj({ captcha_token: str() }) }, ['password']);
