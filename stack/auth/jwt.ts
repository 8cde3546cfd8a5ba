import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AuthError, forbidden } from './errors.js';

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

const keyCache = new Map<string, Uint8Array>();
function key(secret: string): Uint8Array {
  let k = keyCache.get(secret);
  if (!k) keyCache.set(secret, (k = new TextEncoder().encode(secret)));
  return k;
}

export async function signAccessToken(claims: AccessTokenClaims, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key(secret));
}

function badJwt(reason: string): AuthError {
  return forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
}

/**
 * Verifies a bearer token as GoTrue's parseJWTClaims does (HS256 only, exp/nbf checked, no
 * audience check) and words failures as golang-jwt does, under 403 bad_jwt.
 */
export async function verifyAccessToken(token: string, secret: string): Promise<Record<string, unknown>> {
  const parts = token.split('.');
  if (parts.length !== 3) throw badJwt('token is malformed: token contains an invalid number of segments');
  let header: { alg?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: unknown };
    if (!header || typeof header !== 'object') throw new Error('not an object');
  } catch {
    throw badJwt('token is malformed: could not JSON decode header');
  }
  if (header.alg !== 'HS256') throw badJwt(`token signature is invalid: signing method ${String(header.alg ?? '')} is invalid`);
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'] });
    return payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw badJwt('token signature is invalid: signature is invalid');
    if (err instanceof joseErrors.JWTExpired) throw badJwt('token has invalid claims: token is expired');
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      throw badJwt(err.claim === 'nbf' ? 'token has invalid claims: token is not valid yet' : `token has invalid claims: ${err.message}`);
    }
    throw badJwt('token is malformed: could not JSON decode claim');
  }
}
