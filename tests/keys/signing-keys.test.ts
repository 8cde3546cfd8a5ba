import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, type SigningAlgorithm, type SigningJwk } from '../../stack/config/signing-keys.js';
import { subscribe } from '../realtime/support.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { closeClients, jwtHeader, LOCAL_PUBLISHABLE_KEY, PNG, signedInUser, supabase, unique } from './support.js';

// Asymmetric signing keys as the CLI sets them up: `[auth] signing_keys_path` (pkg/config/config.go:
// relative to supabase/; a JWK array as `supabase gen signing-key` writes it, internal/gen/signingkeys).
// GoTrue signs with the first key, its kid in the header (GOTRUE_JWT_KEYS), verifies by kid and
// keeps the HS256 secret for tokens without one (internal/api/auth.go parseJWTClaims), and lists
// the public parts at /.well-known/jwks.json (internal/api/jwks.go; the CLI's ToPublicJWK keeps
// key_ops "verify" only). Each stack here is a throwaway one of its own.

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** A token signed with `jwk` (its kid in the header unless `kid` overrides it). */
async function signWith(jwk: SigningJwk, claims: Record<string, unknown>, kid: string | undefined = jwk.kid): Promise<string> {
  // WebCrypto imports a private key for signing only: its sign+verify key_ops are left out
  const { key_ops: _ops, ...material } = jwk;
  const key = await importJWK(material as JWK, jwk.alg);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: 'authenticated', role: 'authenticated', iat: now, exp: now + 600, ...claims })
    .setProtectedHeader(kid ? { alg: jwk.alg, kid, typ: 'JWT' } : { alg: jwk.alg, typ: 'JWT' })
    .sign(key);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const unsigned = (claims: Record<string, unknown>) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;

describe.each<[SigningAlgorithm, SigningAlgorithm]>([
  ['ES256', 'RS256'],
  ['RS256', 'ES256'],
])('a stack whose first signing key is %s (a second, %s, also trusted)', (alg, otherAlg) => {
  const primary = generateSigningKey(alg);
  const secondary = generateSigningKey(otherAlg);
  let test: TestStack;
  let db: pg.Client;
  let url: string;
  let user: Awaited<ReturnType<typeof signedInUser>>;

  beforeAll(async () => {
    test = await startTestStack({ signingKeys: [primary, secondary] });
    url = test.info.apiUrl;
    db = new pg.Client({ connectionString: test.info.dbUrl });
    await db.connect();
    user = await signedInUser(url);
  }, 180_000);

  afterAll(async () => {
    await closeClients();
    await db?.end();
    await test?.stop();
  }, 60_000);

  it('publishes both public keys, without private members, at /auth/v1/.well-known/jwks.json', async () => {
    const res = await fetch(`${url}/auth/v1/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => [k.kid, k.alg, k.kty])).toEqual([
      [primary.kid, alg, primary.kty],
      [secondary.kid, otherAlg, secondary.kty],
    ]);
    for (const k of keys) {
      for (const m of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(m);
      expect(k.key_ops).toEqual(['verify']);
    }
  });

  it('signs sessions with the first key, its kid in the header; supabase-js auth.getClaims() verifies them', async () => {
    expect(jwtHeader(user.token)).toEqual({ alg, kid: primary.kid, typ: 'JWT' });
    const { data, error } = await user.client.auth.getClaims();
    expect(error).toBeNull();
    expect(data?.claims.sub).toBe(user.id);
    expect(data?.header).toMatchObject({ alg, kid: primary.kid });
    // and anyone holding the published set can check them
    const jwks = createLocalJWKSet((await (await fetch(`${url}/auth/v1/.well-known/jwks.json`)).json()) as { keys: JWK[] });
    expect((await jwtVerify(user.token, jwks)).payload.sub).toBe(user.id);
  });

  it('REST, auth, storage, realtime and the functions relay accept the session', async () => {
    const post = await user.client.from('posts').insert({ content: unique('signed') }).select('author_id').single();
    expect(post.error).toBeNull();
    expect(post.data!.author_id).toBe(user.id);
    expect((await user.client.auth.getUser()).data.user?.id).toBe(user.id);
    const upload = await user.client.storage.from('avatars').upload(`${user.id}/${unique('k')}.png`, PNG, { contentType: 'image/png' });
    expect(upload.error).toBeNull();

    const topic = unique('signed-private');
    await db.query(`create policy "${topic}" on realtime.messages for select to authenticated
      using (realtime.topic() = '${topic}' and (select auth.uid()) = '${user.id}')`);
    await user.client.realtime.setAuth(user.token);
    await subscribe(user.client.channel(topic, { config: { private: true } }));

    // the relay lets it through; the function then asks auth for the user with the same token and
    // gets as far as reading the (missing) form
    const fn = await fetch(`${url}/functions/v1/media`, { method: 'POST', headers: { apikey: LOCAL_PUBLISHABLE_KEY, Authorization: `Bearer ${user.token}` } });
    const body = await fn.text();
    expect(fn.status, body).toBe(400);
  });

  it('accepts a token signed by the second key, and still the legacy HS256 keys', async () => {
    const other = await signWith(secondary, { sub: user.id });
    const r = await fetch(`${url}/auth/v1/user`, { headers: { apikey: LOCAL_PUBLISHABLE_KEY, Authorization: `Bearer ${other}` } });
    expect(r.status).toBe(200);
    expect((await r.json()).id).toBe(user.id);
    expect(jwtHeader(test.info.anonKey).alg).toBe('HS256');
    expect((await supabase(url, test.info.anonKey).from('posts').select('id').limit(1)).error).toBeNull();
    expect((await supabase(url, test.info.serviceRoleKey).auth.admin.getUserById(user.id)).error).toBeNull();
  });

  describe('a token signed by a key the project does not have, or with alg none, is refused everywhere in each service\'s words', () => {
    const stranger = generateSigningKey(alg);
    const cases = () => [
      { name: 'unknown kid', token: () => signWith(stranger, { sub: user.id }), kid: stranger.kid! },
      { name: 'a known kid over another key\'s signature', token: () => signWith(stranger, { sub: user.id }, primary.kid), kid: null },
      { name: 'alg none', token: async () => unsigned({ sub: user.id, role: 'service_role', exp: Math.floor(Date.now() / 1000) + 600 }), kid: null },
    ];

    it('REST: 401 PGRST301 (postgrest Auth.hs wording)', async () => {
      for (const c of cases()) {
        const res = await fetch(`${url}/rest/v1/posts`, { headers: { apikey: LOCAL_PUBLISHABLE_KEY, Authorization: `Bearer ${await c.token()}` } });
        expect(res.status, c.name).toBe(401);
        const message = c.name === 'alg none' ? 'Wrong or unsupported encoding algorithm' : c.kid ? 'No suitable key or wrong key type' : 'JWT cryptographic operation failed';
        expect(await res.json(), c.name).toMatchObject({ code: 'PGRST301', message });
      }
    });

    it('auth: 403 bad_jwt (GoTrue parseJWTClaims, golang-jwt wording)', async () => {
      for (const c of cases()) {
        const res = await fetch(`${url}/auth/v1/user`, { headers: { apikey: LOCAL_PUBLISHABLE_KEY, Authorization: `Bearer ${await c.token()}` } });
        expect(res.status, c.name).toBe(403);
        const reason = c.name === 'alg none'
          ? 'token signature is invalid: signing method none is invalid'
          : c.kid ? `token is unverifiable: error while executing keyfunc: invalid kid: ${c.kid}` : 'token signature is invalid: signature is invalid';
        expect(await res.json(), c.name).toEqual({ code: 403, error_code: 'bad_jwt', msg: `invalid JWT: unable to parse or verify signature, ${reason}` });
      }
    });

    it('storage: AccessDenied (statusCode "403", sent as a 400 as Storage does) with jose\'s message', async () => {
      for (const c of cases()) {
        const res = await fetch(`${url}/storage/v1/bucket`, { headers: { apikey: LOCAL_PUBLISHABLE_KEY, Authorization: `Bearer ${await c.token()}` } });
        expect(res.status, c.name).toBe(400);
        const message = c.name === 'alg none'
          ? '"alg" (Algorithm) Header Parameter value not allowed'
          : c.kid ? 'no applicable key found in the JSON Web Key Set' : 'signature verification failed';
        expect(await res.json(), c.name).toEqual({ statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message });
      }
    });

    it('realtime: the join fails with JwtSignatureError, and the socket itself is refused with 403', async () => {
      for (const c of cases()) {
        const token = await c.token();
        const client = supabase(url, LOCAL_PUBLISHABLE_KEY);
        await client.realtime.setAuth(token);
        const refused = await subscribe(client.channel(unique('bad')), 5_000).then(() => null, (e: Error) => e.message);
        expect(refused, c.name).toBe('JwtSignatureError: Failed to validate JWT signature');
        const status = await new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${token}&vsn=1.0.0`);
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => (ws.close(), reject(new Error('the websocket opened'))));
          ws.on('error', () => {});
        });
        expect(status, c.name).toBe(403);
      }
    });

    it('functions relay: 401 {"msg":"Invalid JWT"} (the CLI\'s functions serve main.ts)', async () => {
      for (const c of cases()) {
        const res = await fetch(`${url}/functions/v1/media`, { method: 'POST', headers: { Authorization: `Bearer ${await c.token()}` } });
        expect(res.status, c.name).toBe(401);
        expect(await res.json(), c.name).toEqual({ msg: 'Invalid JWT' });
      }
    });
  });
});
