import type { HeaderSource } from '../gateway/headers.js';
import { requestCredential } from '../jwt/credentials.js';
import type { JwtKeys } from '../jwt/keys.js';
import { verifyJwt, type JwtFailure } from '../jwt/verify.js';
import { jwtClaimsError, jwtDecodeError } from './errors.js';

/**
 * Who a request runs as (PostgREST's Auth): the token the gateway hands on (stack/jwt/credentials),
 * verified against the stack's keys; the role comes from its `role` claim, and a request without
 * a token runs as the anonymous role.
 */

export interface Identity {
  role: string;
  claims: Record<string, unknown>;
  /** runs as a role other than anon (decides 401 vs 403 for insufficient privilege, as PostgREST does) */
  authenticated: boolean;
}

/** PostgREST's wording (src/PostgREST/Auth.hs, errors.rst): PGRST301 for the token, PGRST303 for its claims. */
function restError(failure: JwtFailure) {
  switch (failure.reason) {
    case 'empty': return jwtDecodeError('Empty JWT is sent in Authorization header');
    case 'segments': return jwtDecodeError(`Expected 3 parts in JWT; got ${failure.parts}`);
    case 'algorithm': return jwtDecodeError('Wrong or unsupported encoding algorithm');
    case 'missing_kid':
    case 'unknown_kid': return jwtDecodeError('No suitable key or wrong key type');
    case 'signature': return jwtDecodeError('JWT cryptographic operation failed');
    case 'header':
    case 'payload': return jwtDecodeError("JWT couldn't be decoded");
    case 'expired': return jwtClaimsError('JWT expired');
    case 'not_yet_valid': return jwtClaimsError('JWT not yet valid');
    case 'issued_in_future': return jwtClaimsError('JWT issued at future');
    case 'claim': return jwtClaimsError('Parsing claims failed');
  }
}

export async function authenticate(headers: HeaderSource, keys: JwtKeys, anonRole: string): Promise<Identity> {
  const credential = requestCredential(headers, keys);
  // no Bearer token: the anonymous role, as PostgREST without a token
  if (credential.kind !== 'token') return { role: anonRole, claims: {}, authenticated: false };
  const result = await verifyJwt(credential.token, keys, { leewaySeconds: 30, rejectFutureIat: true });
  if (!result.ok) throw restError(result.failure);
  return identityFrom(result.jwt.claims, anonRole);
}

function identityFrom(payload: Record<string, unknown>, anonRole: string): Identity {
  // a role that is not a string is taken as its JSON text, as PostgREST does (and then fails as an unknown role)
  const claim = payload.role;
  const role = claim === undefined || claim === null || claim === '' ? anonRole : typeof claim === 'string' ? claim : JSON.stringify(claim);
  return { role, claims: payload, authenticated: role !== anonRole };
}
