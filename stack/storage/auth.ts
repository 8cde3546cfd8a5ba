import { errors as joseErrors, jwtVerify } from 'jose';
import type { RequestIdentity } from '../db/request-scope.js';
import { ERRORS } from './errors.js';

const encoder = new TextEncoder();

/** The caller as Storage sees it: the JWT's role and claims, run in Postgres under RLS. */
export interface Caller {
  role: string;
  claims: Record<string, unknown>;
  /** The user id (`sub`) when the token names one: the owner of what they upload. */
  userId: string | null;
  /** False when no valid JWT came (routes that allow it read as anon): such a caller sees public buckets only. */
  authenticated: boolean;
}

/** `Authorization: Bearer <jwt>` first, the `apikey` header otherwise (as the API gateway passes it). */
export function bearerToken(headers: Headers): string | null {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  return headers.get('apikey')?.trim() || null;
}

/** The token's claims; jose's own error otherwise (its message is what Storage reports). */
async function verifyClaims(token: string, secret: string): Promise<Record<string, unknown>> {
  const { payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: ['HS256'] });
  return payload as Record<string, unknown>;
}

/** For signed-URL tokens, which Storage refuses as InvalidJWT (not AccessDenied, as a request's JWT). */
export async function verifyJwt(token: string, secret: string): Promise<Record<string, unknown>> {
  try {
    return await verifyClaims(token, secret);
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw ERRORS.invalidJwt('jwt expired');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw ERRORS.invalidJwt('signature verification failed');
    throw ERRORS.invalidJwt(err instanceof Error && err.message ? err.message : 'Invalid JWT');
  }
}

const ANON: Caller = { role: 'anon', claims: { role: 'anon' }, userId: null, authenticated: false };

/**
 * The request's caller, as Storage's jwt plugin: a bad or expired JWT is AccessDenied with jose's
 * message. Routes with `allowInvalidJwt` (public reads) take a missing or bad one as anon, not
 * authenticated, instead.
 */
export async function authenticate(headers: Headers, secret: string, allowInvalidJwt = false): Promise<Caller> {
  const token = bearerToken(headers);
  if (!token) {
    if (allowInvalidJwt) return ANON;
    throw ERRORS.missingAuthorization();
  }
  let claims: Record<string, unknown>;
  try {
    claims = await verifyClaims(token, secret);
  } catch (err) {
    if (allowInvalidJwt) return ANON;
    throw ERRORS.accessDenied(err instanceof Error && err.message ? err.message : 'Invalid JWT');
  }
  const role = typeof claims.role === 'string' && claims.role ? claims.role : 'anon';
  const sub = typeof claims.sub === 'string' && /^[0-9a-f-]{36}$/i.test(claims.sub) ? claims.sub : null;
  return { role, claims, userId: sub, authenticated: true };
}

export function identity(caller: Caller, method: string, path: string): RequestIdentity {
  return { role: caller.role, claims: caller.claims, method, path };
}
