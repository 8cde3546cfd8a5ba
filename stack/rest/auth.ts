import { errors as joseErrors, jwtVerify } from 'jose';
import { jwtClaimsError, jwtDecodeError } from './errors.js';

/**
 * Who a request runs as (PostgREST's Auth): the JWT from `Authorization: Bearer` (or, as Kong
 * lets through on Supabase, the `apikey` header), verified HS256 with the project's secret; the
 * role comes from its `role` claim, and a request without a token runs as the anonymous role.
 */

export interface Identity {
  role: string;
  claims: Record<string, unknown>;
  /** runs as a role other than anon (decides 401 vs 403 for insufficient privilege, as PostgREST does) */
  authenticated: boolean;
}

function bearer(headers: Headers): string | null {
  const auth = headers.get('authorization');
  if (auth !== null) {
    const m = /^bearer\s*(.*)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  const apikey = headers.get('apikey');
  // The apikey header carries a JWT only in legacy projects; a non-JWT key means anonymous.
  if (apikey && apikey.split('.').length === 3) return apikey.trim();
  return null;
}

/**
 * Verified tokens, so a client's repeated requests skip the HMAC check (PostgREST's JWT cache);
 * an entry is used only until the token's own `exp`, and the cache is bounded.
 */
const verified = new Map<string, { payload: Record<string, unknown>; exp: number }>();
const CACHE_MAX = 1000;

export async function authenticate(headers: Headers, secret: Uint8Array, anonRole: string): Promise<Identity> {
  const token = bearer(headers);
  if (token === null) return { role: anonRole, claims: {}, authenticated: false };
  // Keyed by secret and token: a token verified under one secret proves nothing under another.
  const cacheKey = `${Buffer.from(secret).toString('base64')}:${token}`;
  const hit = verified.get(cacheKey);
  if (hit && hit.exp > Date.now() / 1000) return identityFrom(hit.payload, anonRole);
  if (token === '') throw jwtDecodeError('Empty JWT is sent in Authorization header');
  const parts = token.split('.').length;
  if (parts !== 3) throw jwtDecodeError(`Expected 3 parts in JWT; got ${parts}`);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], clockTolerance: 30 }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw jwtClaimsError('JWT expired');
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      if (err.claim === 'nbf') throw jwtClaimsError('JWT not yet valid');
      if (err.claim === 'iat') throw jwtClaimsError('JWT issued at future');
      throw jwtClaimsError('Parsing claims failed');
    }
    if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) {
      throw jwtDecodeError('Wrong or unsupported encoding algorithm');
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw jwtDecodeError('JWT cryptographic operation failed');
    throw jwtDecodeError("JWT couldn't be decoded");
  }
  // jose checks iat only against maxTokenAge; PostgREST refuses a token issued in the future (30 s skew)
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + 30) throw jwtClaimsError('JWT issued at future');
  if (typeof payload.exp === 'number') {
    if (verified.size >= CACHE_MAX) verified.clear();
    verified.set(cacheKey, { payload, exp: payload.exp });
  }
  return identityFrom(payload, anonRole);
}

function identityFrom(payload: Record<string, unknown>, anonRole: string): Identity {
  // a role that is not a string is taken as its JSON text, as PostgREST does (and then fails as an unknown role)
  const claim = payload.role;
  const role = claim === undefined || claim === null || claim === '' ? anonRole : typeof claim === 'string' ? claim : JSON.stringify(claim);
  return { role, claims: payload, authenticated: role !== anonRole };
}
