import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { errors, type RealtimeError } from './errors.js';

export interface VerifiedToken {
  claims: Record<string, unknown>;
  role: string;
  /** Seconds since the epoch. */
  exp: number;
}

export type TokenResult = { ok: true; token: VerifiedToken } | { ok: false; error: RealtimeError };

/** Verifies an HS256 JWT the way Realtime's ChannelsAuthorization does: signature, `exp`, `role`. */
export async function verifyToken(token: unknown, secret: Uint8Array): Promise<TokenResult> {
  if (typeof token !== 'string' || token.split('.').length !== 3) return { ok: false, error: errors.malformedJwt() };
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    if (typeof payload.exp !== 'number' || typeof payload.role !== 'string') return { ok: false, error: errors.missingClaims() };
    return { ok: true, token: { claims: payload as Record<string, unknown>, role: payload.role, exp: payload.exp } };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      const exp = Number(decodeJwt(token).exp ?? 0);
      return { ok: false, error: errors.expired(Math.max(0, Math.floor(Date.now() / 1000) - exp)) };
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JOSEAlgNotAllowed) {
      return { ok: false, error: errors.signature() };
    }
    return { ok: false, error: errors.malformedJwt() };
  }
}

export const secretKey = (secret: string): Uint8Array => new TextEncoder().encode(secret);
