import { compactVerify, errors as joseErrors } from 'jose';
import type { JwtAlgorithm, JwtKeys, VerifyKey } from './keys.js';

/**
 * Why a token was refused, for each component to word as its upstream does (PostgREST's
 * PGRST301/303, GoTrue's bad_jwt, Storage's, Realtime's, the functions relay's).
 */
export type JwtFailure =
  | { reason: 'empty' }
  | { reason: 'segments'; parts: number }
  /** the header is not base64url JSON object */
  | { reason: 'header' }
  /** the claims are not a base64url JSON object */
  | { reason: 'payload' }
  /** `alg` is none, unknown, or not the algorithm of the key named by `kid` */
  | { reason: 'algorithm'; alg: string }
  /** an asymmetric token without a `kid` */
  | { reason: 'missing_kid' }
  | { reason: 'unknown_kid'; kid: string }
  | { reason: 'signature' }
  | { reason: 'expired'; exp: number }
  | { reason: 'not_yet_valid'; nbf: number }
  | { reason: 'issued_in_future'; iat: number }
  /** a time claim that is not a number (`message` in jose's words, which Storage reports) */
  | { reason: 'claim'; claim: 'exp' | 'nbf' | 'iat'; message: string };

export interface VerifiedJwt {
  claims: Record<string, unknown>;
  alg: JwtAlgorithm;
  kid: string | undefined;
}

export type JwtResult = { ok: true; jwt: VerifiedJwt } | { ok: false; failure: JwtFailure };

/** Time rules differ per upstream: PostgREST allows 30 s of skew and refuses an `iat` in the future. */
export interface TimeRules {
  leewaySeconds?: number;
  rejectFutureIat?: boolean;
}

const ALGORITHMS = new Set<string>(['HS256', 'ES256', 'RS256']);
const fail = (failure: JwtFailure): JwtResult => ({ ok: false, failure });

/**
 * Tokens whose signature checked out, so a client's repeated requests skip the crypto (as
 * PostgREST's JWT cache); time claims are still checked on every use. Bounded: the oldest
 * entry goes first. One cache per key set: a token verified under one set proves nothing under another.
 */
const CACHE_MAX = 2000;
const caches = new WeakMap<JwtKeys, Map<string, VerifiedJwt>>();

function cacheFor(keys: JwtKeys): Map<string, VerifiedJwt> {
  let cache = caches.get(keys);
  if (!cache) caches.set(keys, (cache = new Map()));
  return cache;
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The key a header asks for: by `kid` among the signing keys, else the HS256 secret for HS256. */
function keyFor(header: Record<string, unknown>, keys: JwtKeys): VerifyKey[] | JwtFailure {
  const alg = typeof header.alg === 'string' ? header.alg : String(header.alg ?? '');
  if (!ALGORITHMS.has(alg)) return { reason: 'algorithm', alg };
  if (typeof header.kid === 'string') {
    const key = keys.byKid.get(header.kid);
    if (!key) return { reason: 'unknown_kid', kid: header.kid };
    return key.alg === alg ? [key] : { reason: 'algorithm', alg };
  }
  if (alg === 'HS256') return [keys.secret];
  const unnamed = keys.unnamed.filter((k) => k.alg === alg);
  return unnamed.length ? unnamed : { reason: 'missing_kid' };
}

async function verifySignature(token: string, keys: JwtKeys): Promise<JwtResult> {
  if (token === '') return fail({ reason: 'empty' });
  const parts = token.split('.');
  if (parts.length !== 3) return fail({ reason: 'segments', parts: parts.length });
  const header = decodeJson(parts[0]);
  if (!isObject(header)) return fail({ reason: 'header' });
  const candidates = keyFor(header, keys);
  if (!Array.isArray(candidates)) return fail(candidates);
  let payload: Uint8Array | null = null;
  for (const { alg, key } of candidates) {
    try {
      ({ payload } = await compactVerify(token, key, { algorithms: [alg] }));
      break;
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
      if (err instanceof joseErrors.JOSEError) return fail({ reason: err instanceof joseErrors.JWSInvalid && /payload/i.test(err.message) ? 'payload' : 'signature' });
      throw err;
    }
  }
  if (!payload) return fail({ reason: 'signature' });
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return fail({ reason: 'payload' });
  }
  if (!isObject(claims)) return fail({ reason: 'payload' });
  return { ok: true, jwt: { claims, alg: header.alg as JwtAlgorithm, kid: typeof header.kid === 'string' ? header.kid : undefined } };
}

function checkTimes(claims: Record<string, unknown>, rules: TimeRules): JwtFailure | null {
  const now = Math.floor(Date.now() / 1000);
  const leeway = rules.leewaySeconds ?? 0;
  const { exp, nbf, iat } = claims;
  if (exp !== undefined && typeof exp !== 'number') return { reason: 'claim', claim: 'exp', message: '"exp" claim must be a number' };
  if (nbf !== undefined && typeof nbf !== 'number') return { reason: 'claim', claim: 'nbf', message: '"nbf" claim must be a number' };
  if (iat !== undefined && typeof iat !== 'number') return { reason: 'claim', claim: 'iat', message: '"iat" claim must be a number' };
  if (typeof exp === 'number' && exp <= now - leeway) return { reason: 'expired', exp };
  if (typeof nbf === 'number' && nbf > now + leeway) return { reason: 'not_yet_valid', nbf };
  if (rules.rejectFutureIat && typeof iat === 'number' && iat > now + leeway) return { reason: 'issued_in_future', iat };
  return null;
}

/** Verifies a compact JWT against the stack's keys: signature (cached), then the time claims. */
export async function verifyJwt(token: string, keys: JwtKeys, rules: TimeRules = {}): Promise<JwtResult> {
  const cache = cacheFor(keys);
  let result: JwtResult;
  const hit = cache.get(token);
  if (hit) {
    result = { ok: true, jwt: hit };
  } else {
    result = await verifySignature(token, keys);
    if (result.ok) {
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(token, result.jwt);
    }
  }
  if (!result.ok) return result;
  const late = checkTimes(result.jwt.claims, rules);
  return late ? fail(late) : result;
}
