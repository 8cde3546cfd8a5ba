import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stack } from '../support/env.js';
import { runCli } from '../support/cli.js';
import { sql, closeDb, subscribe } from '../realtime/support.js';
import { closeClients, LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY, PNG, signedInUser, supabase, unique } from './support.js';

// The CLI's local API keys (supabase/cli pkg/config/apikeys.go: the same publishable and secret
// key on every machine) as the CLI's gateway treats them (internal/start/start.go `BearerToken`
// and `QueryToken` in templates/kong.yml): an `Authorization: Bearer sb_…` is dropped, and the
// `apikey` (or Realtime's `?apikey=`) secret key becomes the service_role JWT, the publishable
// key the anon JWT, before any service sees the request.

const url = () => stack().apiUrl;
let user: Awaited<ReturnType<typeof signedInUser>>;
const policies: string[] = [];

beforeAll(async () => {
  user = await signedInUser(url());
});

afterAll(async () => {
  await closeClients();
  for (const p of policies) await sql(`drop policy if exists "${p}" on realtime.messages`);
  await closeDb();
});

describe('the publishable key', () => {
  it('reads through REST as anon (the issue: PGRST301 "Expected 3 parts in JWT; got 1")', async () => {
    const { data, error, status } = await supabase(url(), LOCAL_PUBLISHABLE_KEY).from('posts').select('id').limit(1);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(Array.isArray(data)).toBe(true);
    // anon has no insert right on posts: the request really ran as anon
    const insert = await supabase(url(), LOCAL_PUBLISHABLE_KEY).from('posts').insert({ content: 'as anon' });
    expect(insert.status).toBe(401);
  });

  it('signs in, and the session then runs REST as the user', async () => {
    const { data, error } = await user.client.from('posts').insert({ content: unique('keyed post') }).select('author_id').single();
    expect(error).toBeNull();
    expect(data!.author_id).toBe(user.id);
    const me = await user.client.auth.getUser();
    expect(me.data.user?.id).toBe(user.id);
  });

  it('is not an admin key: the admin API answers 403 not_admin, as GoTrue for an anon JWT', async () => {
    const { error } = await supabase(url(), LOCAL_PUBLISHABLE_KEY).auth.admin.listUsers();
    expect(error).toMatchObject({ status: 403, code: 'not_admin' });
  });

  it('uploads to Storage as the signed-in user and reads public objects as anon', async () => {
    const path = `${user.id}/${unique('a')}.png`;
    const up = await user.client.storage.from('avatars').upload(path, PNG, { contentType: 'image/png' });
    expect(up.error).toBeNull();
    const anon = supabase(url(), LOCAL_PUBLISHABLE_KEY);
    const down = await anon.storage.from('avatars').download(path);
    expect(down.error).toBeNull();
    expect(Buffer.from(await down.data!.arrayBuffer()).equals(PNG)).toBe(true);
    const refused = await anon.storage.from('avatars').upload(`${user.id}/${unique('b')}.png`, PNG, { contentType: 'image/png' });
    expect(refused.error).not.toBeNull();
  });

  it('joins a public realtime channel and receives broadcasts', async () => {
    const topic = unique('keys-public');
    const a = await subscribe(supabase(url(), LOCAL_PUBLISHABLE_KEY).channel(topic, { config: { broadcast: { self: true } } }));
    const got = new Promise((resolve) => a.on('broadcast', { event: 'hi' }, (m) => resolve(m.payload)));
    await a.send({ type: 'broadcast', event: 'hi', payload: { n: 1 } });
    expect(await got).toEqual({ n: 1 });
  });

  it('joins a private channel as the signed-in user whom RLS lets in, and not as anon', async () => {
    const topic = unique('keys-private');
    const name = `${topic} readers`;
    policies.push(name);
    await sql(`create policy "${name}" on realtime.messages for select to authenticated
      using (realtime.topic() = '${topic}' and (select auth.uid()) = '${user.id}')`);
    await user.client.realtime.setAuth(user.token);
    await subscribe(user.client.channel(topic, { config: { private: true } }));
    const anon = supabase(url(), LOCAL_PUBLISHABLE_KEY);
    const refused = await subscribe(anon.channel(topic, { config: { private: true } }), 5_000).then(() => null, (e: Error) => e.message);
    expect(refused).toMatch(/Unauthorized/);
  });

  it('passes the functions relay (verify_jwt): the function itself answers', async () => {
    const res = await fetch(`${url()}/functions/v1/media`, {
      method: 'POST',
      headers: { apikey: LOCAL_PUBLISHABLE_KEY, Authorization: `Bearer ${LOCAL_PUBLISHABLE_KEY}` },
    });
    const body = await res.text();
    expect(body).not.toContain('Invalid JWT');
    expect(body).not.toContain('Missing authorization header');
    // the function saw no user (the anon JWT has no sub) and says so in its own words
    expect(res.status).toBe(401);
    expect(body).toMatch(/Sign in/i);
  });
});

describe('the secret key', () => {
  it('opens the admin API', async () => {
    const { data, error } = await supabase(url(), LOCAL_SECRET_KEY).auth.admin.getUserById(user.id);
    expect(error).toBeNull();
    expect(data.user?.id).toBe(user.id);
  });

  it('runs REST as service_role, past RLS', async () => {
    const { data, error } = await supabase(url(), LOCAL_SECRET_KEY).from('posts').insert({ content: 'as service', author_id: user.id }).select('author_id').single();
    expect(error).toBeNull();
    expect(data!.author_id).toBe(user.id);
  });

  it('manages Storage buckets (service_role)', async () => {
    const { data, error } = await supabase(url(), LOCAL_SECRET_KEY).storage.listBuckets();
    expect(error).toBeNull();
    expect(data!.map((b) => b.id)).toEqual(expect.arrayContaining(['avatars']));
  });

  it('connects to Realtime as service_role, which may join any private channel', async () => {
    await subscribe(supabase(url(), LOCAL_SECRET_KEY).channel(unique('keys-service'), { config: { private: true } }));
  });

  it('is refused when a browser sends it, as Supabase refuses it: 401 "Forbidden use of secret API key in browser"', async () => {
    // Supabase's API keys guide: secret keys are refused for requests with a browser User-Agent.
    const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
    for (const [path, headers] of [
      ['/rest/v1/posts', { apikey: LOCAL_SECRET_KEY }],
      ['/auth/v1/admin/users', { apikey: LOCAL_SECRET_KEY, Authorization: `Bearer ${LOCAL_SECRET_KEY}` }],
      ['/storage/v1/bucket', { Authorization: `Bearer ${LOCAL_SECRET_KEY}` }],
      ['/functions/v1/media', { apikey: LOCAL_SECRET_KEY }],
    ] as const) {
      const res = await fetch(`${url()}${path}`, { headers: { ...headers, 'User-Agent': browser } });
      expect(res.status, path).toBe(401);
      expect(await res.json()).toEqual({ message: 'Forbidden use of secret API key in browser' });
    }
    const socketUrl = `${url().replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${LOCAL_SECRET_KEY}&vsn=1.0.0`;
    const refusedWith = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(socketUrl, { headers: { 'User-Agent': browser } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => (ws.close(), reject(new Error('the websocket opened'))));
      ws.on('error', () => {});
    });
    expect(refusedWith).toBe(401);
    // a server (no browser User-Agent) and the publishable key from a browser are fine
    expect((await fetch(`${url()}/rest/v1/posts?limit=1`, { headers: { apikey: LOCAL_SECRET_KEY } })).status).toBe(200);
    expect((await fetch(`${url()}/rest/v1/posts?limit=1`, { headers: { apikey: LOCAL_PUBLISHABLE_KEY, 'User-Agent': browser } })).status).toBe(200);
  });
});

describe('legacy keys and unknown keys', () => {
  it('the anon and service_role JWTs keep working', async () => {
    expect((await supabase(url(), stack().anonKey).from('posts').select('id').limit(1)).error).toBeNull();
    expect((await supabase(url(), stack().serviceRoleKey).auth.admin.getUserById(user.id)).error).toBeNull();
  });

  it('an sb_ key the project does not have is passed on and fails as a token, in each service\'s words', async () => {
    const fake = 'sb_publishable_not-this-projects-key';
    const rest = await fetch(`${url()}/rest/v1/posts`, { headers: { apikey: fake, Authorization: `Bearer ${fake}` } });
    expect(rest.status).toBe(401);
    expect(await rest.json()).toMatchObject({ code: 'PGRST301', message: 'Expected 3 parts in JWT; got 1' });
    const auth = await fetch(`${url()}/auth/v1/user`, { headers: { apikey: fake } });
    expect(auth.status).toBe(403);
    expect((await auth.json()).error_code).toBe('bad_jwt');
  });
});

describe('npm run status', () => {
  it('prints PUBLISHABLE_KEY and SECRET_KEY next to the legacy keys, as `supabase status -o env`', async () => {
    const run = await runCli('status', { AGORA_API_PORT: String(new URL(url()).port), AGORA_DB_PORT: String(stack().dbPort) });
    const vars = Object.fromEntries(run.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(vars.PUBLISHABLE_KEY).toBe(LOCAL_PUBLISHABLE_KEY);
    expect(vars.SECRET_KEY).toBe(LOCAL_SECRET_KEY);
    expect(vars.ANON_KEY).toBe(stack().anonKey);
    expect(vars.SERVICE_ROLE_KEY).toBe(stack().serviceRoleKey);
  });
});
