import type { JwtKeys } from '../jwt/keys.js';
import { verifyJwt, type JwtFailure } from '../jwt/verify.js';
import { type AuthError, forbidden } from './errors.js';

/** GoTrue's AccessTokenClaims, in its field order. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  email: string;
  phone: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  role: string;
  aal?: string;
  amr?: { method: string; timestamp: number }[];
  session_id?: string;
  is_anonymous: boolean;
  [claim: string]: unknown;
}

function badJwt(reason: string): AuthError {
  return forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
}

/**
 * GoTrue's parseJWTClaims failures (internal/api/auth.go) in golang-jwt's words: its key
 * function picks the key by `kid` ("invalid kid: …"), else the secret for HS256 ("missing kid").
 */
function gotrueError(failure: JwtFailure): AuthError {
  switch (failure.reason) {
    case 'empty':
    case 'segments': return badJwt('token is malformed: token contains an invalid number of segments');
    case 'header': return badJwt('token is malformed: could not JSON decode header');
    case 'payload': return badJwt('token is malformed: could not JSON decode claim');
    case 'algorithm': return badJwt(`token signature is invalid: signing method ${failure.alg} is invalid`);
    case 'missing_kid': return badJwt('token is unverifiable: error while executing keyfunc: missing kid');
    case 'unknown_kid': return badJwt(`token is unverifiable: error while executing keyfunc: invalid kid: ${failure.kid}`);
    case 'signature': return badJwt('token signature is invalid: signature is invalid');
    case 'expired': return badJwt('token has invalid claims: token is expired');
    case 'not_yet_valid': return badJwt('token has invalid claims: token is not valid yet');
    case 'issued_in_future': return badJwt('token has invalid claims: token used before issued');
    case 'claim': return badJwt('token is malformed: could not JSON decode claim');
  }
}

/** Verifies a bearer token as GoTrue does (no audience check, exp/nbf checked without leeway), under 403 bad_jwt. */
export async function verifyAccessToken(token: string, keys: JwtKeys): Promise<Record<string, unknown>> {
  const result = await verifyJwt(token, keys);
  if (!result.ok) throw gotrueError(result.failure);
  return result.jwt.claims;
}
