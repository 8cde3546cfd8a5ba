import { SignJWT } from 'jose';
import type { JwtKeys } from '../jwt/keys.js';
import { verifyJwt } from './auth.js';
import { ERRORS } from './errors.js';

/** What a signed URL lets its bearer do: a download token must never open the upload route, nor the reverse. */
export type UrlTokenPurpose = 'download' | 'upload';

/** Signed URL tokens are JWTs over `<bucket>/<path>` with the project's JWT secret (HS256), as Storage signs them. */
export async function signUrlToken(purpose: UrlTokenPurpose, claims: Record<string, unknown>, keys: JwtKeys, expiresIn: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, purpose }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now).setExpirationTime(now + expiresIn).sign(keys.secret.key);
}

/** Verifies a token for `<bucket>/<path>`: a bad or expired token is InvalidJWT, another path InvalidSignature. */
export async function verifyUrlToken(purpose: UrlTokenPurpose, token: string | undefined, keys: JwtKeys, path: string): Promise<Record<string, unknown>> {
  if (!token) throw ERRORS.missingParameter('token');
  const payload = await verifyJwt(token, keys);
  if (payload.url !== path || payload.purpose !== purpose) throw ERRORS.invalidSignature();
  return payload;
}

/** `/object/sign/<bucket>/<path>?token=` with the path's characters encoded as storage-js expects. */
export function signedPath(kind: 'sign' | 'upload/sign', path: string, token: string): string {
  return `/object/${kind}/${path}?token=${token}`;
}
