import type { Context } from 'hono';
import { audit } from './audit.js';
import { transaction } from './db.js';
import type { AuthDeps } from './deps.js';
import { badRequest, OAuthError, unprocessable, type AuthError, MESSAGES } from './errors.js';
import { pkceGrant } from './pkce.js';
import { checkPasswordStrength, verifyPassword } from './password.js';
import { clientInfo, rateLimitKey, readJson, str } from './request.js';
import { issueSession, sessionExpiry, swapRefreshToken, tokenResponse, type RefreshTokenRow, type SessionRow } from './sessions.js';
import { findUserByEmail, findUserById, isBanned } from './users.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { errors, tags } from './openapi.js';

export const INVALID_LOGIN = 'Invalid login credentials';

/** POST /token?grant_type=password|refresh_token|pkce (id_token and web3 need providers Agora has not). */
export async function token(c: Context, deps: AuthDeps): Promise<Response> {
  const grant = c.req.query('grant_type') ?? '';
  if (!['password', 'refresh_token', 'pkce', 'id_token', 'web3'].includes(grant)) throw badRequest('invalid_credentials', 'unsupported_grant_type');
  deps.limits.token.take(rateLimitKey(c));
  switch (grant) {
    case 'password':
      return c.json(await passwordGrant(c, deps));
    case 'refresh_token':
      return c.json(await refreshGrant(c, deps));
    case 'pkce':
      return c.json(await pkceGrant(c, deps));
    default:
      throw badRequest('provider_disabled', `Unsupported grant type for this instance: ${grant}`);
  }
}

async function passwordGrant(c: Context, deps: AuthDeps) {
  const { settings } = deps;
  const body = await readJson(c);
  const email = str(body, 'email');
  const phone = str(body, 'phone');
  const password = str(body, 'password');
  if (email && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
  if (!email && !phone) throw badRequest('validation_failed', 'missing email or phone');
  if (!email) throw unprocessable('phone_provider_disabled', MESSAGES.phoneLoginsDisabled);
  if (!settings.emailEnabled) throw unprocessable('email_provider_disabled', MESSAGES.emailLoginsDisabled);
  const user = await findUserByEmail(deps.db, email);
  if (!user?.encrypted_password) {
    // The same bcrypt work as a real comparison, so an unknown email cannot be told apart by timing.
    await verifyPassword(password, null);
    throw badRequest('invalid_credentials', INVALID_LOGIN);
  }
  if (isBanned(user)) throw badRequest('user_banned', MESSAGES.userBanned);
  const valid = await verifyPassword(password, user.encrypted_password);
  if (!valid) throw badRequest('invalid_credentials', INVALID_LOGIN);
  if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
  const weak = checkPasswordStrength(password, settings);
  const response = await transaction(deps.db, async (tx) => {
    await audit(tx, user, 'login', clientInfo(c).ip, { provider: 'email' });
    return issueSession(tx, settings, user.id, 'password', clientInfo(c));
  });
  return weak && weak.errorCode === 'weak_password'
    ? { ...response, weak_password: { reasons: (weak.extra.weak_password as { reasons: string[] }).reasons, message: weak.message } }
    : response;
}


/** GoTrue's RefreshTokenGrant: rotation, a reuse interval, and family revocation on reuse. */
async function refreshGrant(c: Context, deps: AuthDeps) {
  const { settings, db } = deps;
  const body = await readJson(c);
  const presented = str(body, 'refresh_token');
  if (!presented) throw new OAuthError('invalid_request', 'refresh_token required');

  const found = await db.query<RefreshTokenRow>('select * from auth.refresh_tokens where token = $1', [presented]);
  const token0 = found.rows[0];
  if (!token0) throw badRequest('refresh_token_not_found', MESSAGES.refreshTokenNotFound);
  const user0 = await findUserById(db, token0.user_id);
  if (!user0) throw badRequest('refresh_token_not_found', MESSAGES.refreshTokenNotFound);
  if (isBanned(user0)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
  const session0 = token0.session_id
    ? (
        await db.query<SessionRow>(
          `select id, user_id, not_after, aal, created_at, refreshed_at at time zone 'UTC' as refreshed_at from auth.sessions where id = $1`,
          [token0.session_id],
        )
      ).rows[0]
    : undefined;
  if (!session0) {
    await db.query('delete from auth.refresh_tokens where id = $1', [token0.id]);
    throw badRequest('session_not_found', MESSAGES.refreshTokenNoSession);
  }
  const expiry = sessionExpiry(session0, settings, token0.updated_at);
  if (expiry) throw badRequest('session_expired', expiry);

  // A reused token's refusal is returned (not thrown) so that the family revocation commits.
  const outcome = await transaction(db, async (tx): Promise<{ refused: AuthError } | { ok: Awaited<ReturnType<typeof tokenResponse>> }> => {
      // The session row serialises concurrent refreshes of the same session.
      const locked = await tx.query('select id from auth.sessions where id = $1 for update', [session0.id]);
      if (!locked.rows[0]) throw badRequest('session_not_found', MESSAGES.refreshTokenNoSession);
      const token = (await tx.query<RefreshTokenRow>('select * from auth.refresh_tokens where id = $1 for update', [token0.id])).rows[0];
      if (!token) throw badRequest('refresh_token_not_found', MESSAGES.refreshTokenNotFound);
      let issued: RefreshTokenRow | null = null;
      if (token.revoked) {
        const active = (
          await tx.query<RefreshTokenRow>(
            'select * from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1',
            [session0.id],
          )
        ).rows[0];
        if (active && active.parent === token.token) {
          // The client lost the answer to its last refresh: hand back the token it was given.
          issued = active;
        } else if (Date.now() > token.updated_at.getTime() + settings.refreshTokenReuseInterval * 1000) {
          if (settings.refreshTokenRotation) {
            await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false', [session0.id]);
          }
          return { refused: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
        }
      }
      const info = clientInfo(c);
      await audit(tx, user0, 'token_refreshed', info.ip);
      issued ??= await swapRefreshToken(tx, token);
      await tx.query("update auth.sessions set refreshed_at = now() at time zone 'UTC', updated_at = now(), user_agent = $2, ip = $3 where id = $1", [
        session0.id,
        info.userAgent,
        info.ip,
      ]);
      return { ok: await tokenResponse(tx, settings, user0.id, issued, { method: 'token_refresh', ip: info.ip }) };
  });
  if ('refused' in outcome) throw outcome.refused;
  return outcome.ok;
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/token': {
    post: {
      tags, operationId: 'auth_token', summary: 'Sign in (password) or refresh a session', security: doc.security.apikey,
      parameters: [doc.query('grant_type', doc.str(undefined, { enum: ['password', 'refresh_token', 'pkce'] }), undefined, true)],
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(), phone: doc.str(), password: doc.str(), refresh_token: doc.str(), auth_code: doc.str(), code_verifier: doc.str() })),
      responses: { 200: doc.json(doc.ref('Session')), ...errors },
    },
  },
};
