import pg from 'pg';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { authFetch, fragment, uniqueEmail } from './support.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function token(secret: string, claims: Record<string, unknown>) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

async function getUser(bearer: string) {
  const res = await authFetch('/user', { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, body: await res.json() };
}

describe('bad input gets GoTrue 4xx errors, never a 500', () => {
  it('malformed JSON is 400 bad_json', async () => {
    for (const body of ['{"email":', '', '[1,2]', '"text"']) {
      const res = await authFetch('/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect((await res.json()).error_code).toBe('bad_json');
    }
  });

  it('admin pagination and ban durations beyond what GoTrue parses are 400s', async () => {
    const admin = { authorization: `Bearer ${stack().serviceRoleKey}` };
    const page = await authFetch('/admin/users?page=99999999999999999999', { headers: admin });
    expect(page.status).toBe(400);
    expect(await page.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Bad Pagination Parameters: strconv.ParseUint: parsing "99999999999999999999": value out of range' });
    const word = await authFetch('/admin/users?page=abc', { headers: admin });
    expect(word.status).toBe(400);
    expect(await word.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Bad Pagination Parameters: strconv.ParseUint: parsing "abc": invalid syntax' });
    const email = uniqueEmail('ban-overflow');
    const ban = await authFetch('/admin/users', { method: 'POST', headers: admin, json: { email, password: 'long-enough-1', ban_duration: '99999999999999999999h' } });
    expect(ban.status).toBe(400);
    const list = await authFetch(`/admin/users?per_page=1000`, { headers: admin });
    expect(JSON.stringify(await list.json())).not.toContain(email);
  });

  it('a password over 72 bytes is refused even when it is fewer than 72 characters (bcrypt reads bytes)', async () => {
    const res = await authFetch('/signup', { method: 'POST', json: { email: uniqueEmail('long-utf8'), password: `${'\u00e9'.repeat(36)}correct-horse` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Password cannot be longer than 72 characters' });
  });

  it('a field of the wrong type is 400 bad_json', async () => {
    const res = await authFetch('/token?grant_type=password', { method: 'POST', json: { email: 42, password: 'x' } });
    expect(res.status).toBe(400);
    expect((await res.json()).error_code).toBe('bad_json');
  });

  it('missing fields are validation errors', async () => {
    const noPassword = await authFetch('/signup', { method: 'POST', json: { email: uniqueEmail('nopw') } });
    expect(noPassword.status).toBe(400);
    expect(await noPassword.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Signup requires a valid password' });
    const noEmail = await authFetch('/token?grant_type=password', { method: 'POST', json: { password: 'x' } });
    expect(noEmail.status).toBe(400);
    expect(await noEmail.json()).toMatchObject({ error_code: 'validation_failed', msg: 'missing email or phone' });
    const noRefresh = await authFetch('/token?grant_type=refresh_token', { method: 'POST', json: {} });
    expect(noRefresh.status).toBe(400);
    expect(await noRefresh.json()).toEqual({ error: 'invalid_request', error_description: 'refresh_token required' });
    const noRecoveryEmail = await authFetch('/recover', { method: 'POST', json: {} });
    expect(noRecoveryEmail.status).toBe(400);
    expect(await noRecoveryEmail.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Password recovery requires an email' });
    const noType = await authFetch('/verify', { method: 'POST', json: { token_hash: 'abc' } });
    expect(noType.status).toBe(400);
    expect(await noType.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Verify requires a verification type' });
  });

  it('an unknown grant type is a 400', async () => {
    const res = await authFetch('/token?grant_type=client_credentials', { method: 'POST', json: {} });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'unsupported_grant_type' });
  });

  it('errors use the 2024-01-01 shape when the client asks for that API version', async () => {
    const res = await authFetch('/token?grant_type=password', {
      method: 'POST',
      headers: { 'X-Supabase-Api-Version': '2024-01-01' },
      json: { email: uniqueEmail('nobody'), password: 'whatever-1' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(res.headers.get('x-sb-error-code')).toBe('invalid_credentials');
    expect(await res.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('no bearer token is 401 no_authorization; an apikey alone stands for its JWT, which names no user', async () => {
    const res = await fetch(`${stack().apiUrl}/auth/v1/user`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, error_code: 'no_authorization', msg: 'This endpoint requires a Bearer token' });
    // the CLI's gateway copies the apikey into Authorization when none is sent (kong.yml, BearerToken)
    const anon = await authFetch('/user');
    expect(anon.status).toBe(403);
    expect(await anon.json()).toEqual({ code: 403, error_code: 'bad_jwt', msg: 'invalid claim: missing sub claim' });
  });

  it('a forged JWT (wrong secret) is 403 bad_jwt', async () => {
    const forged = await token('another-secret-that-is-at-least-32-characters', { sub: crypto.randomUUID(), role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 });
    const r = await getUser(forged);
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ code: 403, error_code: 'bad_jwt', msg: 'invalid JWT: unable to parse or verify signature, token signature is invalid: signature is invalid' });
  });

  it('an alg: none JWT is 403 bad_jwt', async () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: crypto.randomUUID(), role: 'service_role' })}.`;
    const r = await getUser(none);
    expect(r.status).toBe(403);
    expect(r.body.msg).toBe('invalid JWT: unable to parse or verify signature, token signature is invalid: signing method none is invalid');
    const admin = await authFetch('/admin/users', { headers: { authorization: `Bearer ${none}` } });
    expect(admin.status).toBe(403);
  });

  it('garbage and expired JWTs are 403 bad_jwt', async () => {
    expect((await getUser('not.a.jwt')).body.error_code).toBe('bad_jwt');
    expect((await getUser('onlyonepart')).body.msg).toContain('token contains an invalid number of segments');
    const expired = await token(stack().jwtSecret, { sub: crypto.randomUUID(), role: 'authenticated', exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await getUser(expired)).body.msg).toContain('token is expired');
  });

  it('a valid JWT for a user that does not exist is 403 user_not_found; a non-UUID sub is 400', async () => {
    const ghost = await token(stack().jwtSecret, { sub: crypto.randomUUID(), role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 });
    expect(await getUser(ghost)).toEqual({ status: 403, body: { code: 403, error_code: 'user_not_found', msg: 'User from sub claim in JWT does not exist' } });
    const odd = await token(stack().jwtSecret, { sub: 'alice', role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 });
    expect((await getUser(odd)).status).toBe(400);
  });

  it('weak passwords are refused everywhere a password is set', async () => {
    const res = await authFetch('/admin/users', {
      method: 'POST',
      headers: { authorization: `Bearer ${stack().serviceRoleKey}` },
      json: { email: uniqueEmail('weak-admin'), password: 'abc' },
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ code: 422, error_code: 'weak_password', msg: 'Password should be at least 6 characters.', weak_password: { reasons: ['length'] } });
  });

  it('an unknown verification type and an unknown route are 4xx', async () => {
    const res = await authFetch('/verify', { method: 'POST', json: { type: 'teleport', token_hash: 'abc' } });
    expect(res.status).toBe(400);
    expect((await authFetch('/nowhere')).status).toBe(404);
  });

  it('a NUL character, which Postgres cannot store, is a 400 bad_json wherever it is, and nothing is written', async () => {
    const email = uniqueEmail('nul');
    const signup = await authFetch('/signup', { method: 'POST', json: { email, password: 'long-enough-1', data: { bio: 'a\u0000b' } } });
    expect(signup.status).toBe(400);
    expect(await signup.json()).toMatchObject({ error_code: 'bad_json' });
    const list = await authFetch('/admin/users?per_page=1000', { headers: { authorization: `Bearer ${stack().serviceRoleKey}` } });
    expect(JSON.stringify(await list.json())).not.toContain(email);
    for (const [path, json] of [
      ['/token?grant_type=refresh_token', { refresh_token: 'abc\u0000' }],
      ['/token?grant_type=password', { email: 'a\u0000@example.com', password: 'whatever-1' }],
      ['/verify', { type: 'signup', token_hash: 'abc\u0000' }],
    ] as const) {
      const res = await authFetch(path, { method: 'POST', json });
      expect(res.status).toBe(400);
      expect((await res.json()).error_code).toBe('bad_json');
    }
    // a NUL in a link's token matches no token: the usual expired-link redirect
    const link = await authFetch('/verify?type=signup&token=%00');
    expect(link.status).toBe(303);
    expect(fragment(link.headers.get('location')!)).toMatchObject({ error_code: 'otp_expired' });
  });

  it('a lone UTF-16 surrogate is kept as U+FFFD, as Go\'s JSON decoder reads it', async () => {
    const res = await authFetch('/signup', { method: 'POST', json: { email: uniqueEmail('surrogate'), password: 'long-enough-1', data: { bio: 'a\ud800b' } } });
    expect(res.status).toBe(200);
    expect((await res.json()).user.user_metadata.bio).toBe('a\ufffdb');
  });

  it('metadata nested deeper than 1000 levels is a 400 bad_json', async () => {
    const deep = `{"email":"${uniqueEmail('deep')}","password":"long-enough-1","data":{"d":${'['.repeat(2000)}${']'.repeat(2000)}}}`;
    const res = await authFetch('/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'bad_json', msg: 'Could not parse request body as JSON: exceeded max depth' });
  });

  it('an X-Forwarded-For entry that is not an IP address is skipped, as GoTrue\'s GetIPAddress does', async () => {
    const email = uniqueEmail('xff');
    const res = await authFetch('/signup', { method: 'POST', headers: { 'x-forwarded-for': 'beef, 10.9.8.7' }, json: { email, password: 'long-enough-1' } });
    expect(res.status).toBe(200);
    const db = new pg.Client({ connectionString: stack().dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query('select host(s.ip) as ip from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1', [email]);
      expect(rows).toEqual([{ ip: '10.9.8.7' }]);
    } finally {
      await db.end();
    }
    const odd = await authFetch('/signup', { method: 'POST', headers: { 'x-forwarded-for': '1.2.3' }, json: { email: uniqueEmail('xff-odd'), password: 'long-enough-1' } });
    expect(odd.status).toBe(200);
  });

  it('an admin-set role longer than auth.users.role holds is a 400', async () => {
    const res = await authFetch('/admin/users', { method: 'POST', headers: { authorization: `Bearer ${stack().serviceRoleKey}` }, json: { email: uniqueEmail('long-role'), role: 'r'.repeat(256) } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'validation_failed' });
  });
});
