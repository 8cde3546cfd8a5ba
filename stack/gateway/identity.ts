import { decodeJwt } from 'jose';

export interface CallerIdentity {
  role?: string;
  userId?: string;
}

/**
 * Who the caller claims to be, read from the bearer token (or, failing that, the apikey) WITHOUT
 * verifying the signature: for log lines only, never for a decision. Services verify the token.
 */
export function claimedIdentity(authorization: string | undefined, apikey: string | undefined): CallerIdentity {
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  for (const token of [bearer, apikey]) {
    if (!token) continue;
    try {
      const claims = decodeJwt(token);
      return {
        role: typeof claims.role === 'string' ? claims.role : undefined,
        userId: typeof claims.sub === 'string' ? claims.sub : undefined,
      };
    } catch {
      // Not a JWT (an opaque key, garbage): nothing to log.
    }
  }
  return {};
}
