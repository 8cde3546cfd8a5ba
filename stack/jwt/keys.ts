import { createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { StackConfig } from '../config/load.js';
import type { SigningJwk } from '../config/signing-keys.js';

/** The algorithms any component accepts: the legacy shared secret and the two signing-key kinds. */
export type JwtAlgorithm = 'HS256' | 'ES256' | 'RS256';

export interface VerifyKey {
  alg: JwtAlgorithm;
  key: KeyObject;
}

export interface Signer {
  alg: JwtAlgorithm;
  kid: string | undefined;
  key: KeyObject;
}

/** A public JWK as GoTrue's /.well-known/jwks.json lists it: no private part, `key_ops` only verify. */
export type PublicJwk = Record<string, unknown>;

export interface KeySource {
  jwtSecret: string;
  signingKeys: SigningJwk[];
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
}

/**
 * Every key the stack signs and verifies JWTs with, and the project's API keys. Without signing
 * keys the legacy HS256 secret signs; with them the first one signs (its `kid` in the header)
 * and all of them verify, the HS256 secret still verifying tokens without a `kid`.
 */
export class JwtKeys {
  readonly secret: VerifyKey;
  readonly byKid = new Map<string, VerifyKey>();
  /** Signing keys without a kid: tried when a token names no kid but one of their algorithms. */
  readonly unnamed: VerifyKey[] = [];
  readonly signer: Signer;
  readonly jwks: { keys: PublicJwk[] };
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly publishableKey: string;
  readonly secretKey: string;

  constructor(source: KeySource) {
    this.secret = { alg: 'HS256', key: createSecretKey(Buffer.from(source.jwtSecret, 'utf8')) };
    this.anonKey = source.anonKey;
    this.serviceRoleKey = source.serviceRoleKey;
    this.publishableKey = source.publishableKey;
    this.secretKey = source.secretKey;
    const published: PublicJwk[] = [];
    for (const jwk of source.signingKeys) {
      const key = { alg: jwk.alg, key: createPublicKey({ key: publicPart(jwk), format: 'jwk' }) };
      if (jwk.kid) this.byKid.set(jwk.kid, key);
      else this.unnamed.push(key);
      published.push(publicPart(jwk));
    }
    this.jwks = { keys: published };
    const first = source.signingKeys[0];
    this.signer = first
      ? { alg: first.alg, kid: first.kid, key: createPrivateKey({ key: first as JsonWebKey, format: 'jwk' }) }
      : { alg: 'HS256', kid: undefined, key: this.secret.key };
  }
}

/** The public half, with the CLI's ToPublicJWK rules: private members and sign/other ops dropped. */
function publicPart(jwk: SigningJwk): PublicJwk & { kty: string } {
  const out: PublicJwk & { kty: string } = { kty: jwk.kty };
  if (jwk.kid) out.kid = jwk.kid;
  if (jwk.use) out.use = jwk.use;
  const ops = jwk.key_ops?.filter((op) => op === 'verify');
  if (ops?.length) out.key_ops = ops;
  out.alg = jwk.alg;
  if (jwk.ext !== undefined) out.ext = jwk.ext;
  if (jwk.kty === 'RSA') Object.assign(out, { n: jwk.n, e: jwk.e });
  else Object.assign(out, { crv: jwk.crv, x: jwk.x, y: jwk.y });
  return out;
}

const forConfig = new WeakMap<StackConfig, JwtKeys>();

/** The stack's keys, built once per loaded configuration (every component shares them and their cache). */
export function jwtKeys(config: StackConfig): JwtKeys {
  let keys = forConfig.get(config);
  if (!keys) forConfig.set(config, (keys = new JwtKeys(config)));
  return keys;
}
