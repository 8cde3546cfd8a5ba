import { requestCredential } from '../jwt/credentials.js';
import type { JwtKeys } from '../jwt/keys.js';
import { verifyJwt as verifyJwt_, type JwtFailure } from '../jwt/verify.js';
import type { RequestIdentity } from '../db/request-scope.js';
import { ERRORS } from './errors.js';

/** The caller as Storage sees it: the JWT's role and claims, run in Postgres under RLS. */
export interface Caller {
  role: string;
  claims: Record<string, unknown>;
  /** The user id (`sub`) when the token names one: the owner of what they upload. */
  userId: string | null;
  /** False when no valid JWT came (routes that allow it read as anon): such a caller sees public buckets only. */
  authenticated: boolean;
}

/** Storage verifies with jose, and reports jose's own message for a refused token. */
function joseMessage(failure: JwtFailure): string {
  switch (failure.reason) {
    case 'empty':
    case 'segments': return 'Invalid Compact JWS';
    case 'header': return 'JWS Protected Header is invalid';
    case 'payload': return 'JWT Claims Set must be a top-level JSON object';
    case 'algorithm': return '"alg" (Algorithm) Header Parameter value not allowed';
    case 'missing_kid':
    case 'unknown_kid': return 'no applicable key found in the JSON Web Key Set';
    case 'signature': return 'signature verification failed';
    case 'expired': return '"exp" claim timestamp check failed';
    case 'not_yet_valid': return '"nbf" claim timestamp check failed';
    case 'issued_in_future': return '"iat" claim timestamp check failed';
    case 'claim': return failure.message;
  }
}

/** For signed-URL tokens, which Storage refuses as InvalidJWT (not AccessDenied, as a request's JWT). */
export async function verifyJwt(token: string, keys: JwtKeys): Promise<Record<string, unknown>> {
  const result = await verifyJwt_(token, keys);
  if (result.ok) return result.jwt.claims;
  const { failure } = result;
  if (failure.reason === 'expired') throw ERRORS.invalidJwt('jwt expired');
  throw ERRORS.invalidJwt(joseMessage(failure));
}

const ANON: Caller = { role: 'anon', claims: { role: 'anon' }, userId: null, authenticated: false };

/**
 * The request's caller, as Storage's jwt plugin: a bad or expired JWT is AccessDenied with jose's
 * message. Routes with `allowInvalidJwt` (public reads) take a missing or bad one as anon, not
 * authenticated, instead.
 */
export async function authenticate(headers: Headers, keys: JwtKeys, allowInvalidJwt = false): Promise<Caller> {
  const credential = requestCredential(headers, keys);
  if (credential.kind !== 'token' || credential.token === '') {
    if (allowInvalidJwt) return ANON;
    throw ERRORS.missingAuthorization();
  }
  const result = await verifyJwt_(credential.token, keys);
  if (!result.ok) {
    if (allowInvalidJwt) return ANON;
    throw ERRORS.accessDenied(joseMessage(result.failure));
  }
  const claims = result.jwt.claims;
  const role = typeof claims.role === 'string' && claims.role ? claims.role : 'anon';
  const sub = typeof claims.sub === 'string' && /^[0-9a-f-]{36}$/i.test(claims.sub) ? claims.sub : null;
  return { role, claims, userId: sub, authenticated: true };
}

export function identity(caller: Caller, method: string, path: string): RequestIdentity {
  return { role: caller.role, claims: caller.claims, method, path };
}
