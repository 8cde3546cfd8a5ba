import type { JwtKeys } from '../jwt/keys.js';
import { verifyJwt } from '../jwt/verify.js';
import { errors, type RealtimeError } from './errors.js';

export interface VerifiedToken {
  claims: Record<string, unknown>;
  role: string;
  /** Seconds since the epoch. */
  exp: number;
}

export type TokenResult = { ok: true; token: VerifiedToken } | { ok: false; error: RealtimeError };

/** Verifies a JWT the way Realtime's ChannelsAuthorization does: signature (by kid), `exp`, `role`. */
export async function verifyToken(token: unknown, keys: JwtKeys): Promise<TokenResult> {
  if (typeof token !== 'string') return { ok: false, error: errors.malformedJwt() };
  const result = await verifyJwt(token, keys);
  if (!result.ok) {
    const { failure } = result;
    switch (failure.reason) {
      case 'expired':
        return { ok: false, error: errors.expired(Math.max(0, Math.floor(Date.now() / 1000) - failure.exp)) };
      case 'algorithm':
      case 'missing_kid':
      case 'unknown_kid':
      case 'signature':
        return { ok: false, error: errors.signature() };
      case 'claim':
        return { ok: false, error: errors.missingClaims() };
      default:
        return { ok: false, error: errors.malformedJwt() };
    }
  }
  const { claims } = result.jwt;
  if (typeof claims.exp !== 'number' || typeof claims.role !== 'string') return { ok: false, error: errors.missingClaims() };
  return { ok: true, token: { claims, role: claims.role, exp: claims.exp } };
}
