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

export async function verifyJwt(token: string, secret: string): Promise<Record<string, unknown>> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: ['HS256'] });
    return payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw ERRORS.invalidJwt('jwt expired');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw ERRORS.invalidJwt('signature verification failed');
    throw ERRORS.invalidJwt(err instanceof Error && err.message ? err.message : 'Invalid JWT');
  }
}

export async function authenticate(headers: Headers, secret: string): Promise<Caller> {
  const token = bearerToken(headers);
  if (!token) throw ERRORS.missingAuthorization();
  const claims = await verifyJwt(token, secret);
  const role = typeof claims.role === 'string' && claims.role ? claims.role : 'anon';
  const sub = typeof claims.sub === 'string' && /^[0-9a-f-]{36}$/i.test(claims.sub) ? claims.sub : null;
  return { role, claims, userId: sub };
}

export function identity(caller: Caller, method: string, path: string): RequestIdentity {
  return { role: caller.role, claims: caller.claims, method, path };
}
