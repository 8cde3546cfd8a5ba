import { SignJWT } from 'jose';
import type { JwtKeys } from './keys.js';

/**
 * Signs an access token from its claims (built by stack/auth) with the stack's signing key:
 * the first `[auth] signing_keys_path` key, its `kid` in the header, or HS256 with the JWT
 * secret when no signing keys are configured. The claims are signed as given, in their order.
 */
export async function signAccessToken(claims: Record<string, unknown>, keys: JwtKeys): Promise<string> {
  const { alg, kid, key } = keys.signer;
  return new SignJWT(claims).setProtectedHeader(kid ? { alg, kid, typ: 'JWT' } : { alg, typ: 'JWT' }).sign(key);
}
