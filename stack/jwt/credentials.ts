import type { HeaderSource } from '../gateway/headers.js';
import type { JwtKeys } from './keys.js';

/**
 * The token a request presents, with the API gateway's rules (the Supabase CLI's kong.yml
 * request-transformer, `BearerToken` in internal/start/start.go):
 * - an `Authorization` header is the credential, unless it carries an opaque `sb_` key
 *   (legacy supabase-js sends `Bearer <apikey>`), which the gateway drops;
 * - otherwise the `apikey` header: the secret key stands for the service_role JWT, the
 *   publishable key for the anon JWT, and anything else (a legacy JWT) is passed on as the token.
 */
export type Credential =
  | { kind: 'none' }
  /** an Authorization header whose scheme is not Bearer (each service words this its own way) */
  | { kind: 'not-bearer'; header: string }
  | { kind: 'token'; token: string; from: 'authorization' | 'apikey' };

const BEARER = /^bearer(?:\s+(.*))?$/i;

export function requestCredential(headers: HeaderSource, keys: JwtKeys): Credential {
  const authorization = headers.get('authorization');
  if (authorization !== null && !authorization.startsWith('Bearer sb_')) {
    const m = BEARER.exec(authorization.trim());
    return m ? { kind: 'token', token: (m[1] ?? '').trim(), from: 'authorization' } : { kind: 'not-bearer', header: authorization };
  }
  const apikey = headers.get('apikey');
  if (apikey === null) return { kind: 'none' };
  return { kind: 'token', token: apiKeyToken(apikey.trim(), keys), from: 'apikey' };
}

/** An API key as the services see it (Kong's `QueryToken` for Realtime's `?apikey=` too). */
export function apiKeyToken(apikey: string, keys: JwtKeys): string {
  if (apikey === keys.secretKey) return keys.serviceRoleKey;
  if (apikey === keys.publishableKey) return keys.anonKey;
  return apikey;
}

/**
 * Supabase's API gateway refuses a secret key coming from a browser, which it recognises by a
 * browser `User-Agent` (every browser's starts `Mozilla/`): 401 "Forbidden use of secret API key
 * in browser" (Supabase's API keys guide). The key may come in `apikey`, `?apikey=` or as Bearer.
 */
export function secretKeyFromBrowser(keys: JwtKeys, userAgent: string | null | undefined, presented: Array<string | null | undefined>): boolean {
  if (!isBrowser(userAgent)) return false;
  return presented.some((v) => typeof v === 'string' && (v.trim() === keys.secretKey || v.trim() === `Bearer ${keys.secretKey}`));
}

export const isBrowser = (userAgent: string | null | undefined): boolean => !!userAgent && /\bMozilla\//.test(userAgent);

export const SECRET_KEY_IN_BROWSER = { message: 'Forbidden use of secret API key in browser' } as const;
