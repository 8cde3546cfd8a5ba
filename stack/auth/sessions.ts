import { randomInt, randomUUID } from 'node:crypto';
import type { Db, Tx } from './db.js';
import { buildAccessTokenClaims, type ClaimsContext } from './claims.js';
import { factorsOf } from './factors.js';
import { signAccessToken } from '../jwt/sign.js';
import type { AuthSettings } from './settings.js';
import { identitiesOf, INSTANCE_ID, userJson, type UserRow, type UserJson } from './users.js';

/** How the session was authenticated (GoTrue's AuthenticationMethod, the amr claim). */
export type AuthMethod = 'anonymous' | 'password' | 'otp' | 'magiclink' | 'email/signup' | 'recovery' | 'invite' | 'email_change' | 'token_refresh' | 'totp';

export interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  created_at: Date;
  updated_at: Date;
  parent: string | null;
  session_id: string | null;
}

export interface SessionRow {
  id: string;
  user_id: string;
  not_after: Date | null;
  aal: string | null;
  created_at?: Date | null;
  refreshed_at?: Date | null;
}

/**
 * GoTrue's Session.CheckValidity: past not_after or the timebox is expired; unrefreshed for
 * longer than the inactivity timeout (since refreshed_at, else since the token was issued) too.
 */
export function sessionExpiry(session: SessionRow, settings: AuthSettings, tokenUpdatedAt: Date, now = Date.now()): string | null {
  if (session.not_after && now > session.not_after.getTime()) return 'Invalid Refresh Token: Session Expired';
  if (settings.sessionTimebox && session.created_at && now > session.created_at.getTime() + settings.sessionTimebox * 1000) {
    return 'Invalid Refresh Token: Session Expired';
  }
  if (settings.sessionInactivityTimeout) {
    // refreshed_at is a timestamp without time zone written as UTC by now() in a UTC session.
    const last = session.refreshed_at ?? tokenUpdatedAt;
    if (now > last.getTime() + settings.sessionInactivityTimeout * 1000) return 'Invalid Refresh Token: Session Expired (Inactivity)';
  }
  return null;
}

export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

/** GoTrue's AccessTokenResponse. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: UserJson;
  weak_password?: { reasons: string[]; message: string };
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Refresh tokens are 12 random lowercase alphanumerics, as GoTrue's SecureAlphanumeric(12). */
export function newRefreshToken(): string {
  let t = '';
  for (let i = 0; i < 12; i++) t += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return t;
}

async function insertRefreshToken(tx: Tx, userId: string, sessionId: string, parent: string | null): Promise<RefreshTokenRow> {
  const { rows } = await tx.query<RefreshTokenRow>(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ($1, $2, $3, false, now(), now(), $4, $5) returning *`,
    [INSTANCE_ID, newRefreshToken(), userId, parent, sessionId],
  );
  return rows[0];
}

/**
 * GoTrue's GrantAuthenticatedUser + AddClaimToSession: a new session, its first refresh token,
 * the authentication method recorded for the amr claim, and last_sign_in_at.
 */
export async function startSession(tx: Tx, user: UserRow, method: AuthMethod, client: ClientInfo): Promise<RefreshTokenRow> {
  const sessionId = randomUUID();
  await tx.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
     values ($1, $2, now(), now(), 'aal1', $3, $4)`,
    [sessionId, user.id, client.userAgent, client.ip],
  );
  await tx.query(
    `insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
     values ($1, now(), now(), $2, $3)
     on conflict (session_id, authentication_method) do update set updated_at = excluded.updated_at`,
    [sessionId, method, randomUUID()],
  );
  await tx.query('update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1', [user.id]);
  await tx.query("update auth.identities set last_sign_in_at = now() where user_id = $1 and provider = 'email'", [user.id]);
  return insertRefreshToken(tx, user.id, sessionId, null);
}

/** GoTrue's GrantRefreshTokenSwap: the presented token is revoked and a child issued. */
export async function swapRefreshToken(tx: Tx, token: RefreshTokenRow): Promise<RefreshTokenRow> {
  await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [token.id]);
  return insertRefreshToken(tx, token.user_id, token.session_id!, token.token);
}

/** Access token for a session: claims built in claims.ts (aal, amr, the access token hook), then signed. */
export async function accessTokenFor(tx: Tx, settings: AuthSettings, user: UserRow, sessionId: string, context: ClaimsContext): Promise<{ token: string; expiresAt: number }> {
  const { claims, expiresAt } = await buildAccessTokenClaims(tx, settings, user, sessionId, context);
  return { token: await signAccessToken(claims, settings.jwtKeys), expiresAt };
}

/** A new session for the user with its token response (issueRefreshToken). */
export async function issueSession(tx: Tx, settings: AuthSettings, userId: string, method: AuthMethod, client: ClientInfo): Promise<TokenResponse> {
  const { rows } = await tx.query<UserRow>('select * from auth.users where id = $1', [userId]);
  const refresh = await startSession(tx, rows[0], method, client);
  return tokenResponse(tx, settings, userId, refresh, { method, ip: client.ip });
}

export async function tokenResponse(tx: Tx, settings: AuthSettings, userId: string, refresh: RefreshTokenRow, context: ClaimsContext): Promise<TokenResponse> {
  const { rows } = await tx.query<UserRow>('select * from auth.users where id = $1', [userId]);
  const user = rows[0];
  const { token, expiresAt } = await accessTokenFor(tx, settings, user, refresh.session_id!, context);
  return {
    access_token: token,
    token_type: 'bearer',
    expires_in: settings.jwtExpiry,
    expires_at: expiresAt,
    refresh_token: refresh.token,
    user: userJson(user, await identitiesOf(tx, userId), await factorsOf(tx, userId)),
  };
}

/** models.Logout: every session of the user (refresh tokens go with them). */
export async function logoutAll(db: Db | Tx, userId: string): Promise<void> {
  await db.query('delete from auth.sessions where user_id = $1', [userId]);
  // Tokens issued before sessions existed have no session to cascade from.
  await db.query('delete from auth.refresh_tokens where user_id = $1', [userId]);
}

export async function logoutSession(db: Db | Tx, sessionId: string): Promise<void> {
  await db.query('delete from auth.sessions where id = $1', [sessionId]);
}

export async function logoutOthers(db: Db | Tx, sessionId: string, userId: string): Promise<void> {
  await db.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
}
