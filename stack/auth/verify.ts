import type { Context } from 'hono';
import { audit } from './audit.js';
import { transaction, type Tx } from './db.js';
import type { AuthDeps } from './deps.js';
import { AuthError, badRequest, forbidden, unprocessable, MESSAGES } from './errors.js';
import { tokenHash } from './otp.js';
import { sameSecret } from './password.js';
import { referrer } from './redirect.js';
import { clientInfo, rateLimitKey, readJson, str, validateEmail } from './request.js';
import { flowMethodOf, issueAuthCode, PKCE_PREFIX } from './pkce.js';
import { issueSession, type TokenResponse } from './sessions.js';
import type { AuthSettings } from './settings.js';
import { confirmUser, findUserByEmail, isBanned, mergeAppMetaData, type UserRow } from './users.js';
import { applyEmailChange } from './user.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { errors, tags } from './openapi.js';

const EMAIL_TYPES = ['signup', 'invite', 'recovery', 'magiclink', 'email_change', 'email'] as const;
type EmailType = (typeof EMAIL_TYPES)[number];

export const SINGLE_CONFIRMATION = 'Confirmation link accepted. Please proceed to confirm link sent to the other email';

const expired = (sentAt: Date | null, settings: AuthSettings) => !sentAt || Date.now() > sentAt.getTime() + settings.otpExpiry * 1000;

function sentAtFor(user: UserRow, type: EmailType, hash: string): Date | null {
  switch (type) {
    case 'signup':
    case 'invite':
      return user.confirmation_sent_at;
    case 'recovery':
    case 'magiclink':
      return user.recovery_sent_at;
    case 'email_change':
      return user.email_change_sent_at;
    default:
      return user.recovery_token === hash ? user.recovery_sent_at : user.confirmation_sent_at;
  }
}

/** verifyTokenHash: the user holding this hash for the type, unexpired. */
async function userByTokenHash(tx: Tx, settings: AuthSettings, type: EmailType, hash: string): Promise<UserRow> {
  const where = {
    signup: 'confirmation_token = $1',
    invite: 'confirmation_token = $1',
    recovery: 'recovery_token = $1',
    magiclink: 'recovery_token = $1',
    email_change: '(email_change_token_current = $1 or email_change_token_new = $1)',
    email: '(confirmation_token = $1 or recovery_token = $1)',
  }[type];
  // a NUL (possible in a link's query) is in no stored hash, and Postgres refuses it as text
  const { rows } = hash.includes('\u0000') ? { rows: [] } : await tx.query<UserRow>(`select * from auth.users where ${where} limit 1 for update`, [hash]);
  const user = rows[0];
  if (!user) throw forbidden('otp_expired', MESSAGES.emailLinkInvalid);
  if (isBanned(user)) throw forbidden('user_banned', MESSAGES.userBanned);
  if (expired(sentAtFor(user, type, hash), settings)) throw forbidden('otp_expired', MESSAGES.emailLinkInvalid);
  return user;
}

/** verifyUserAndToken: the code typed by the user, checked against the hash kept for its address. */
async function userByEmailAndCode(tx: Tx, settings: AuthSettings, type: EmailType, email: string, hash: string): Promise<UserRow> {
  const invalid = () => forbidden('otp_expired', 'Token has expired or is invalid');
  const user =
    type === 'email_change'
      ? (await tx.query<UserRow>('select * from auth.users where (lower(email_change) = $1 or lower(email) = $1) and email_change <> \'\' limit 1 for update', [email])).rows[0]
      : await findUserByEmail(tx, email);
  if (!user) throw invalid();
  if (isBanned(user)) throw forbidden('user_banned', MESSAGES.userBanned);
  // A hash stored for a PKCE flow carries the prefix; the typed code completes it all the same (isOtpValid).
  const check = (expected: string | null, sentAt: Date | null) =>
    !!expected && !expired(sentAt, settings) && (sameSecret(hash, expected) || sameSecret(PKCE_PREFIX + hash, expected));
  const valid =
    type === 'signup' || type === 'invite'
      ? check(user.confirmation_token, user.confirmation_sent_at)
      : type === 'recovery' || type === 'magiclink'
        ? check(user.recovery_token, user.recovery_sent_at)
        : type === 'email_change'
          ? check(user.email_change_token_current, user.email_change_sent_at) || check(user.email_change_token_new, user.email_change_sent_at)
          : check(user.confirmation_token, user.confirmation_sent_at) || check(user.recovery_token, user.recovery_sent_at);
  if (!valid) throw invalid();
  return user;
}

/**
 * What the verified token does. Returns false when only one side of a double-confirmed email
 * change was confirmed (no session then).
 */
async function apply(tx: Tx, settings: AuthSettings, user: UserRow, type: EmailType, hash: string, ip: string | null): Promise<boolean> {
  const is = (stored: string | null) => !!stored && (stored === hash || stored === PKCE_PREFIX + hash);
  const effective = type === 'email' ? (is(user.recovery_token) ? 'magiclink' : 'signup') : type;
  const action = effective === 'invite' ? 'invite_accepted' : effective === 'email_change' ? 'user_modified' : effective === 'signup' || !user.email_confirmed_at ? 'user_signedup' : 'login';
  await audit(tx, user, action, ip);
  switch (effective) {
    case 'signup':
    case 'invite':
      await confirmUser(tx, user.id);
      break;
    case 'recovery':
    case 'magiclink':
      await tx.query(`update auth.users set recovery_token = '', recovery_sent_at = null, updated_at = now() where id = $1`, [user.id]);
      await tx.query("delete from auth.one_time_tokens where user_id = $1 and token_type = 'recovery_token'", [user.id]);
      if (!user.email_confirmed_at) await confirmUser(tx, user.id);
      break;
    case 'email_change': {
      if (!settings.autoconfirm && settings.secureEmailChange && (user.email_change_confirm_status ?? 0) === 0 && user.email) {
        const side = is(user.email_change_token_current) ? 'current' : 'new';
        await tx.query(
          `update auth.users set email_change_confirm_status = 1, email_change_token_${side} = '', updated_at = now() where id = $1`,
          [user.id],
        );
        await tx.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [user.id, `email_change_token_${side}`]);
        return false;
      }
      await applyEmailChange(tx, user.id, user.email_change ?? '');
      break;
    }
  }
  // UpdateAppMetaDataProviders: the providers of the user's identities.
  const { rows } = await tx.query<{ provider: string }>('select distinct provider from auth.identities where user_id = $1 order by provider', [user.id]);
  const providers = rows.map((r) => r.provider);
  await mergeAppMetaData(tx, user.id, { providers, ...(providers.length ? { provider: providers[0] } : {}) });
  return true;
}

function asType(type: string): EmailType {
  if ((EMAIL_TYPES as readonly string[]).includes(type)) return type as EmailType;
  throw badRequest('validation_failed', 'Unsupported verification type');
}

/** POST /verify: {type, token_hash} or {type, email, token}; a session as JSON. */
export async function verifyPost(c: Context, deps: AuthDeps): Promise<Response> {
  deps.limits.verify.take(rateLimitKey(c));
  const body = await readJson(c);
  const rawType = str(body, 'type');
  const token = str(body, 'token');
  const hashParam = str(body, 'token_hash');
  const email = str(body, 'email');
  const phone = str(body, 'phone');
  if (!rawType) throw badRequest('validation_failed', MESSAGES.verifyNeedsType);
  if ((!token && !hashParam) || (token && hashParam)) throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
  let normalizedEmail = '';
  if (token) {
    if (phone && !email) throw unprocessable('phone_provider_disabled', MESSAGES.unsupportedPhoneProvider);
    if (!email || phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on verify');
    try {
      normalizedEmail = validateEmail(email);
    } catch {
      throw unprocessable('validation_failed', 'Invalid email format');
    }
  } else if (email || phone || str(body, 'redirect_to')) {
    throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
  }
  const type = asType(rawType);
  const hash = token ? tokenHash(normalizedEmail, token) : hashParam;
  const result = await transaction(deps.db, async (tx) => {
    const user = token ? await userByEmailAndCode(tx, deps.settings, type, normalizedEmail, hash) : await userByTokenHash(tx, deps.settings, type, hash);
    if (!(await apply(tx, deps.settings, user, type, hash, clientInfo(c).ip))) return null;
    return issueSession(tx, deps.settings, user.id, 'otp', clientInfo(c));
  });
  if (!result) return c.json({ msg: SINGLE_CONFIRMATION, code: '200' });
  return c.json(result);
}

/** url.Values.Encode: keys sorted, query-escaped. */
function encodeValues(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(values[k]).replace(/%20/g, '+')}`)
    .join('&');
}

/**
 * The redirect with these values as its fragment, plus the empty `sb` key GoTrue adds so clients
 * can tell a Supabase Auth redirect from others.
 */
function withFragment(target: string, values: Record<string, string>): string {
  const fragment = encodeValues({ ...values, sb: '' });
  const i = target.indexOf('#');
  return `${i >= 0 ? target.slice(0, i) : target}#${fragment}`;
}

/** prepPKCERedirectURL and friends: values added to the redirect's query (PKCE flows read them there). */
function withQuery(target: string, values: Record<string, string>): string {
  const hashAt = target.indexOf('#');
  const base = hashAt >= 0 ? target.slice(0, hashAt) : target;
  const rest = hashAt >= 0 ? target.slice(hashAt) : '';
  try {
    const u = new URL(base);
    for (const [k, v] of Object.entries(values)) u.searchParams.set(k, v);
    return u.toString() + rest;
  } catch {
    const q = encodeValues(values);
    return `${base}${base.includes('?') ? '&' : '?'}${q}${rest}`;
  }
}

const OAUTH_ERRORS: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 500: 'server_error', 503: 'temporarily_unavailable' };

/**
 * GET /verify?token=…&type=…&redirect_to=…: a 303 to redirect_to (only site_url or an allowed
 * URL) carrying the session, or the error, in the URL fragment.
 */
export async function verifyGet(c: Context, deps: AuthDeps): Promise<Response> {
  deps.limits.verify.take(rateLimitKey(c));
  const rawType = c.req.query('type') ?? '';
  const token = c.req.query('token') ?? '';
  const redirectTo = referrer(deps.settings, c.req.query('redirect_to') ?? null, c.req.header('referer'));
  if (!rawType) throw badRequest('validation_failed', MESSAGES.verifyNeedsType);
  if (!token) throw badRequest('validation_failed', 'Verify requires a token or a token hash');
  const type = asType(rawType);
  // A token minted for a PKCE flow ends in an auth code on the redirect's query, not a session.
  const pkce = token.startsWith(PKCE_PREFIX);
  let session: TokenResponse | null = null;
  let authCode: string | null = null;
  try {
    const outcome = await transaction(deps.db, async (tx): Promise<{ code: string } | { session: TokenResponse } | null> => {
      const user = await userByTokenHash(tx, deps.settings, type, token);
      if (!(await apply(tx, deps.settings, user, type, token, clientInfo(c).ip))) return null;
      if (pkce) return { code: await issueAuthCode(tx, user.id, flowMethodOf(type)) };
      return { session: await issueSession(tx, deps.settings, user.id, 'otp', clientInfo(c)) };
    });
    if (outcome && 'code' in outcome) authCode = outcome.code;
    else if (outcome) session = outcome.session;
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    const fragment: Record<string, string> = { error_code: err.errorCode, error_description: err.message };
    if (OAUTH_ERRORS[err.status]) fragment.error = OAUTH_ERRORS[err.status];
    // prepErrorRedirectURL: a PKCE flow gets the error in the query too.
    return c.redirect(withFragment(pkce ? withQuery(redirectTo, fragment) : redirectTo, fragment), 303);
  }
  if (authCode) return c.redirect(withQuery(redirectTo, { code: authCode }), 303);
  if (!session) {
    const message = { message: SINGLE_CONFIRMATION };
    return c.redirect(withFragment(pkce ? withQuery(redirectTo, message) : redirectTo, message), 303);
  }
  return c.redirect(
    withFragment(redirectTo, {
      access_token: session.access_token,
      token_type: session.token_type,
      expires_in: String(session.expires_in),
      expires_at: String(session.expires_at),
      refresh_token: session.refresh_token,
      type,
    }),
    303,
  );
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/verify': {
    post: {
      tags, operationId: 'auth_verify', summary: 'Verify an emailed code or token hash', security: doc.security.apikey,
      requestBody: doc.jsonBody(doc.obj({ type: doc.str(undefined, { enum: ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'] }), email: doc.str(), token: doc.str(), token_hash: doc.str() }, ['type'])),
      responses: { 200: doc.json(doc.ref('Session')), ...errors },
    },
    get: {
      tags, operationId: 'auth_verify_link', summary: 'Verify an email link, then redirect', security: doc.security.none,
      parameters: [doc.query('token', doc.str(), undefined, true), doc.query('type', doc.str(), undefined, true), doc.query('redirect_to', doc.str())],
      responses: { 303: { description: 'Redirect to the site with the session in the URL fragment, or for a PKCE link (token pkce_…) with ?code= to exchange at /token?grant_type=pkce (errors in the fragment, and for PKCE in the query too)' } },
    },
  },
};
