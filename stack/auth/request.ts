import { isIP } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { AuthError, badRequest, forbidden, unauthorized, MESSAGES } from './errors.js';
import { BodyTooLarge, readContextText } from '../gateway/body-limit.js';
import { verifyAccessToken } from './jwt.js';
import { requestCredential } from '../jwt/credentials.js';
import type { ClientInfo, SessionRow } from './sessions.js';
import type { AuthSettings } from './settings.js';
import { findUserById, type UserRow } from './users.js';
import type { Db } from './db.js';

export type Body = Record<string, unknown>;

/** The raw body within auth's cap; past it a 413 in GoTrue's error format. */
export async function readBody(c: Context): Promise<string> {
  try {
    return await readContextText(c);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new AuthError(413, 'request_entity_too_large', `Request body too large (max ${err.limit} bytes)`);
    throw err;
  }
}

/** GoTrue's retrieveRequestParams: the body must be a JSON object, else 400 bad_json. */
export async function readJson(c: Context): Promise<Body> {
  const text = await readBody(c);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest('bad_json', `Could not parse request body as JSON: ${text.trim() === '' ? 'unexpected end of JSON input' : (err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed} into Go value of type object`);
  }
  return storable(parsed as Body);
}

/**
 * Past this nesting the body is refused, as Go's decoder refuses past 10000 (lower here: deeper
 * metadata overflows the stack on its way to and from jsonb).
 */
const MAX_DEPTH = 1000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The body as Postgres can keep it. Lone surrogates become U+FFFD, as Go's JSON decoder makes
 * them; a NUL character, which no text or jsonb value can hold (GoTrue answers it with a 500), is
 * refused, except in a password, which is only ever hashed.
 */
function storable(body: Body): Body {
  const nul = () => badRequest('bad_json', 'Could not parse request body as JSON: strings must not contain the NUL character (\\u0000)');
  const fix = (s: string) => {
    if (s.includes('\u0000')) throw nul();
    return s.replace(LONE_SURROGATE, '\uFFFD');
  };
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return fix(v);
    if (!v || typeof v !== 'object') return v;
    if (depth > MAX_DEPTH) throw badRequest('bad_json', 'Could not parse request body as JSON: exceeded max depth');
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    // fromEntries defines even a "__proto__" key as data, as JSON.parse did
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k), walk(x, depth + 1)]));
  };
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [fix(k), k === 'password' && typeof v === 'string' ? v : walk(v, 1)]));
}

/** A string field (absent or null reads as ''); any other JSON type is a bad_json like Go's decoder. */
export function str(body: Body, key: string): string {
  const v = body[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${typeof v} into Go struct field .${key} of type string`);
  return v;
}

export function bool(body: Body, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${typeof v} into Go struct field .${key} of type bool`);
  return v;
}

export function obj(body: Body, key: string): Record<string, unknown> | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field .${key} of type map[string]interface {}`);
  }
  return v as Record<string, unknown>;
}

/**
 * The key GoTrue rate-limits by when GOTRUE_RATE_LIMIT_HEADER names X-Forwarded-For (as behind
 * Supabase's edge): its first value. Without the header GoTrue applies no per-IP limit (it logs
 * that and lets the request through), which is also what `supabase start` does for local clients.
 */
export function rateLimitKey(c: Context): string | null {
  const first = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  return first || null;
}

/**
 * GoTrue's GetIPAddress: the first X-Forwarded-For entry that is an IP address, else the socket
 * peer (what is not an address would not fit the inet columns it is written to).
 */
export function clientIp(c: Context): string {
  const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').map((ip) => ip.trim()).find((ip) => isIP(ip) !== 0);
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address ?? '127.0.0.1';
  } catch {
    return '127.0.0.1';
  }
}

export function clientInfo(c: Context): ClientInfo {
  const ip = clientIp(c);
  return { userAgent: c.req.header('user-agent') ?? null, ip: /^[0-9a-fA-F:.]+$/.test(ip) ? ip : null };
}

const EMAIL_RE = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's validateEmail: present, at most 255 characters, a plausible address. */
export function validateEmail(email: string): string {
  if (email === '') throw badRequest('validation_failed', 'An email address is required');
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL_RE.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** The bearer token as the gateway hands it to GoTrue (stack/jwt/credentials: an API key becomes its JWT). */
export function bearerToken(c: Context, settings: AuthSettings): string {
  const credential = requestCredential(c.req.raw.headers, settings.jwtKeys);
  if (credential.kind !== 'token' || credential.token === '') throw unauthorized('no_authorization', 'This endpoint requires a Bearer token');
  return credential.token;
}

export interface Caller {
  user: UserRow;
  session: SessionRow | null;
  claims: Record<string, unknown>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** requireAuthentication: a valid JWT whose user (and session, when it names one) still exists. */
export async function requireUser(c: Context, settings: AuthSettings, db: Db): Promise<Caller> {
  const claims = await verifyAccessToken(bearerToken(c, settings), settings.jwtKeys);
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  if (!sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID_RE.test(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(db, sub);
  if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  let session: SessionRow | null = null;
  const sid = claims.session_id;
  if (typeof sid === 'string' && sid !== '' && sid !== '00000000-0000-0000-0000-000000000000') {
    if (!UUID_RE.test(sid)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
    const { rows } = await db.query<SessionRow>('select id, user_id, not_after, aal, created_at from auth.sessions where id = $1', [sid]);
    if (!rows[0]) throw forbidden('session_not_found', MESSAGES.sessionMissing);
    session = rows[0];
  }
  return { user, session, claims };
}

/** requireAdminCredentials: a valid JWT whose role is one of GoTrue's admin roles. */
export async function requireAdmin(c: Context, settings: AuthSettings): Promise<Record<string, unknown>> {
  const claims = await verifyAccessToken(bearerToken(c, settings), settings.jwtKeys);
  if (claims.role !== 'service_role' && claims.role !== 'supabase_admin') throw forbidden('not_admin', 'User not allowed');
  return claims;
}
