import { SignJWT } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { stack } from '../support/env.js';
import { client, jwt, loadFixture, rest, unique } from './support.js';

// PostgREST auth: docs/references/auth.rst, transactions.rst (request settings), errors.rst (PGRST30x)
beforeAll(loadFixture);

describe('roles from the JWT', () => {
  test('without a token the request runs as anon, read-only for GET, with the request settings set', async () => {
    const r = await rest('/rpc/whoami', { headers: { 'x-probe': 'hello' } });
    expect(r.json).toMatchObject({ role: 'anon', method: 'GET', path: '/rpc/whoami', header: 'hello', read_only: 'on' });
  });

  test('the role claim of a valid token becomes the role; its claims are in request.jwt.claims', async () => {
    const token = await jwt({ role: 'authenticated', sub: 'user-1', email: 'a@example.com' });
    const r = await rest('/rpc/whoami', { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}` } });
    expect(r.json.role).toBe('authenticated');
    expect(r.json.claims).toMatchObject({ role: 'authenticated', sub: 'user-1', email: 'a@example.com' });
    expect(r.json.read_only).toBe('on'); // a stable function runs read-only even by POST
  });

  test('the service_role key bypasses RLS', async () => {
    const service = client(stack().serviceRoleKey);
    const { data, error } = await service.from('owned').select('id').limit(1);
    expect(error).toBeNull();
    expect(Array.isArray(data)).toBe(true);
  });

  test('RLS: users see and write only their own rows', async () => {
    const [alice, bob] = [unique('alice'), unique('bob')];
    const asAlice = client(stack().anonKey, await jwt({ role: 'authenticated', sub: alice }));
    const asBob = client(stack().anonKey, await jwt({ role: 'authenticated', sub: bob }));
    const ins = await asAlice.from('owned').insert({ content: 'secret' }).select('owner,content').single();
    expect(ins.data).toEqual({ owner: alice, content: 'secret' });
    expect((await asBob.from('owned').select('content').eq('owner', alice)).data).toEqual([]);
    const forged = await asBob.from('owned').insert({ owner: alice, content: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.error).toMatchObject({ code: '42501' });
    const upd = await asBob.from('owned').update({ content: 'hacked' }).eq('owner', alice).select();
    expect(upd.data).toEqual([]);
  });

  test('anon without a grant gets 401 with WWW-Authenticate', async () => {
    const r = await rest('/owned');
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('42501');
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('an unknown role in the claims is rejected with 401', async () => {
    const token = await jwt({ role: 'nobody_at_all' });
    const r = await rest('/clients', { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('22023');
    expect(r.json.message).toBe('role "nobody_at_all" does not exist');
  });

  test('the apikey header alone authenticates when it is a JWT', async () => {
    const token = await jwt({ role: 'authenticated', sub: 'apikey-user' });
    const r = await rest('/rpc/whoami', { headers: { apikey: token } });
    expect(r.json.claims.sub).toBe('apikey-user');
  });
});

describe('invalid tokens', () => {
  test('an expired token is a 401 PGRST303 "JWT expired" with WWW-Authenticate', async () => {
    const token = await jwt({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) - 3600 }, 0);
    const r = await rest('/clients', { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });
    expect(r.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="JWT expired"');
  });

  test('a token issued in the future (beyond 30 s of skew) is a 401 PGRST303 "JWT issued at future"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await new SignJWT({ role: 'authenticated' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now + 1000).setExpirationTime(now + 3600).sign(new TextEncoder().encode(stack().jwtSecret));
    const r = await rest('/clients', { headers: { Authorization: `Bearer ${future}` } });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: 'PGRST303', message: 'JWT issued at future' });
    const skewed = await new SignJWT({ role: 'authenticated' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now + 10).setExpirationTime(now + 3600).sign(new TextEncoder().encode(stack().jwtSecret));
    expect((await rest('/clients', { headers: { Authorization: `Bearer ${skewed}` } })).status).toBe(200);
  });

  test('a role claim that is not a string is taken as its JSON text, an unknown role', async () => {
    const token = await jwt({ role: 5 });
    const r = await rest('/clients', { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(401);
    expect(r.json.message).toMatch(/role "5" does not exist/);
  });

  test('a token signed with another secret is a 401 PGRST301', async () => {
    const token = await jwt({ role: 'service_role' }, '1h', 'x'.repeat(40));
    const r = await rest('/clients', { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('PGRST301');
  });

  test('a malformed token is a 401 PGRST301', async () => {
    const r = await rest('/clients', { headers: { Authorization: 'Bearer not-a-jwt' } });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: 'PGRST301', message: 'Expected 3 parts in JWT; got 1' });
  });
});

describe('db-pre-request', () => {
  test('the pgrst.db_pre_request function of the authenticator role runs before every request', async () => {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: stack().dbUrl });
    await admin.connect();
    // a hook that only rejects requests carrying a marker header, so parallel suites are unaffected
    await admin.query(`create or replace function rest_test.pre_request() returns void language plpgsql as $$
      begin
        if current_setting('request.headers', true)::json ->> 'x-block-me' = 'yes' then
          raise sqlstate 'PT403' using message = 'blocked by pre-request';
        end if;
      end $$`);
    await admin.query('grant execute on function rest_test.pre_request() to anon, authenticated, service_role');
    try {
      await admin.query(`alter role authenticator set pgrst.db_pre_request = 'rest_test.pre_request'`);
      await admin.query(`notify pgrst, 'reload config'`);
      let r = await rest('/clients', { headers: { 'x-block-me': 'yes' } });
      for (let i = 0; i < 50 && r.status !== 403; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await rest('/clients', { headers: { 'x-block-me': 'yes' } });
      }
      expect(r.status).toBe(403);
      expect(r.json.message).toBe('blocked by pre-request');
      expect((await rest('/clients')).status).toBe(200);
    } finally {
      await admin.query('alter role authenticator reset pgrst.db_pre_request');
      await admin.query(`notify pgrst, 'reload config'`);
      await admin.end();
    }
  });
});
