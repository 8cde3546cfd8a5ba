import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StackError } from '../errors.js';

/**
 * `[auth] signing_keys_path`: a JSON array of JWKs as `supabase gen signing-key` writes them
 * (supabase/cli internal/gen/signingkeys, pkg/config/auth.go JWK). ES256 (EC P-256) and RS256
 * (RSA) keys; the first one signs, every one verifies. A key without its private parts
 * only verifies (a key rotated out but still trusted).
 */
const b64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const common = {
  kid: z.string().min(1).optional(),
  use: z.string().optional(),
  key_ops: z.array(z.string()).optional(),
  ext: z.boolean().optional(),
};
const ecKey = z.object({
  ...common,
  kty: z.literal('EC'),
  alg: z.literal('ES256'),
  crv: z.literal('P-256'),
  x: b64url,
  y: b64url,
  d: b64url.optional(),
});
const rsaKey = z.object({
  ...common,
  kty: z.literal('RSA'),
  alg: z.literal('RS256'),
  n: b64url,
  e: b64url,
  d: b64url.optional(),
  p: b64url.optional(),
  q: b64url.optional(),
  dp: b64url.optional(),
  dq: b64url.optional(),
  qi: b64url.optional(),
});
const keyFile = z.array(z.discriminatedUnion('kty', [ecKey, rsaKey]));

export type SigningJwk = z.infer<typeof ecKey> | z.infer<typeof rsaKey>;
export type SigningAlgorithm = SigningJwk['alg'];

export function readSigningKeys(file: string): SigningJwk[] {
  const shown = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StackError(`[auth] signing_keys_path: cannot read ${shown}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StackError(`[auth] signing_keys_path: ${shown} is not JSON: ${(err as Error).message}`);
  }
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StackError(`[auth] signing_keys_path: ${shown}: ${issue.path.join('.') || 'keys'}: ${issue.message}`);
  }
  const keys = parsed.data;
  if (keys.length > 0 && !keys[0].d) throw new StackError(`[auth] signing_keys_path: ${shown}: the first key signs, so it needs its private part ("d")`);
  const kids = keys.map((k) => k.kid).filter((k): k is string => !!k);
  if (new Set(kids).size !== kids.length) throw new StackError(`[auth] signing_keys_path: ${shown}: two keys share a kid`);
  return keys;
}

/** A new private JWK in the CLI's field order and shape (`kid` a UUID, `key_ops` sign+verify, `ext` true). */
export function generateSigningKey(alg: SigningAlgorithm = 'ES256'): SigningJwk {
  const head = { kid: randomUUID(), use: 'sig', key_ops: ['sign', 'verify'], alg, ext: true };
  if (alg === 'RS256') {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    return { kty: 'RSA', ...head, alg, n: jwk.n!, e: jwk.e!, d: jwk.d!, p: jwk.p!, q: jwk.q!, dp: jwk.dp!, dq: jwk.dq!, qi: jwk.qi! };
  }
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { kty: 'EC', ...head, alg, d: jwk.d!, crv: 'P-256', x: jwk.x!, y: jwk.y! };
}
