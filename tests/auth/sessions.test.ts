import { SignJWT, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { adminClient, anonClient, authFetch, customAuth, uniqueEmail } from './support.js';

async function signedUp(password = 'correct-horse-1') {
  const email = uniqueEmail('session');
  const { data, error } = await anonClient().auth.signUp({ email, password });
  expect(error).toBeNull();
  return { email, password, session: data.session!, user: data.user! };
}

async function refresh(refreshToken: string, fetchImpl?: typeof fetch) {
  const res = await (fetchImpl ?? fetch)(`${stack().apiUrl}/auth/v1/token?grant_type=refresh_token`, {
    method: 'POST',
    headers: { apikey: stack().anonKey, 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('password sign-in', () => {
  it('returns a session whose JWT carries the claims GoTrue issues', async () => {
    const { email, password, user } = await signedUp();
    const { data, error } = await anonClient().auth.signInWithPassword({ email, password });
    expect(error).toBeNull();
    expect(data.session?.token_type).toBe('bearer');
    expect(data.session?.expires_in).toBe(3600);
    expect(data.session?.refresh_token).toMatch(/^[a-z0-9]{12}$/);
    const claims = decodeJwt(data.session!.access_token);
    expect(claims).toMatchObject({
      sub: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      iss: `${stack().apiUrl}/auth/v1`,
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect(typeof claims.session_id).toBe('string');
    expect(data.user?.last_sign_in_at).toBeTruthy();
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const { email } = await signedUp();
    const wrong = await anonClient().auth.signInWithPassword({ email, password: 'not-the-password' });
    const unknown = await anonClient().auth.signInWithPassword({ email: uniqueEmail('nobody'), password: 'whatever-1' });
    for (const r of [wrong, unknown]) {
      expect(r.error?.status).toBe(400);
      expect(r.error?.code).toBe('invalid_credentials');
      expect(r.error?.message).toBe('Invalid login credentials');
      expect(r.data.session).toBeNull();
    }
  });

  it('stores the password as a GoTrue-format bcrypt hash', async () => {
    const { user } = await signedUp();
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: stack().dbUrl });
    await client.connect();
    const { rows } = await client.query('select encrypted_password from auth.users where id = $1', [user.id]);
    await client.end();
    expect(rows[0].encrypted_password).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
  });

  it('records sign-up and login in auth.audit_log_entries as GoTrue does', async () => {
    const { email, password, user } = await signedUp();
    await anonClient().auth.signInWithPassword({ email, password });
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: stack().dbUrl });
    await client.connect();
    const { rows } = await client.query(
      "select payload from auth.audit_log_entries where payload ->> 'actor_id' = $1 order by created_at",
      [user.id],
    );
    await client.end();
    expect(rows.map((r) => r.payload.action)).toEqual(['user_signedup', 'login']);
    expect(rows[1].payload).toMatchObject({ actor_username: email, actor_via_sso: false, log_type: 'account', traits: { provider: 'email' } });
  });
});

describe('refresh tokens', () => {
  it('rotate: each refresh answers a new refresh token and access token', async () => {
    const { session } = await signedUp();
    const first = await refresh(session.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(session.refresh_token);
    const claims = decodeJwt(first.body.access_token as string);
    expect(claims.session_id).toBe(decodeJwt(session.access_token).session_id);
  });

  it('a token reused within the reuse interval hands back the current one', async () => {
    const { session } = await signedUp();
    const first = await refresh(session.refresh_token);
    const again = await refresh(session.refresh_token);
    expect(again.status).toBe(200);
    expect(again.body.refresh_token).toBe(first.body.refresh_token);
  });

  it('a revoked token reused after the interval revokes its whole family', async () => {
    const auth = await customAuth({ refreshTokenReuseInterval: 0 });
    try {
      const email = uniqueEmail('reuse');
      const { data } = await auth.client.auth.signUp({ email, password: 'reuse-pass-1' });
      const a = data.session!.refresh_token;
      const b = (await refresh(a, auth.fetch)).body.refresh_token as string;
      const c = (await refresh(b, auth.fetch)).body.refresh_token as string;
      const reused = await refresh(a, auth.fetch);
      expect(reused.status).toBe(400);
      expect(reused.body).toMatchObject({ code: 400, error_code: 'refresh_token_already_used', msg: 'Invalid Refresh Token: Already Used' });
      const afterwards = await refresh(c, auth.fetch);
      expect(afterwards.status).toBe(400);
      expect(afterwards.body.error_code).toBe('refresh_token_already_used');
    } finally {
      await auth.close();
    }
  });

  it('[auth.sessions] timebox ends a session however often it is refreshed', async () => {
    const auth = await customAuth({ sessionTimebox: 1 });
    try {
      const { data } = await auth.client.auth.signUp({ email: uniqueEmail('timebox'), password: 'timebox-pass-1' });
      const fresh = await refresh(data.session!.refresh_token, auth.fetch);
      expect(fresh.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const late = await refresh(fresh.body.refresh_token as string, auth.fetch);
      expect(late.status).toBe(400);
      expect(late.body).toMatchObject({ error_code: 'session_expired', msg: 'Invalid Refresh Token: Session Expired' });
    } finally {
      await auth.close();
    }
  });

  it('[auth.sessions] inactivity_timeout ends a session left unrefreshed', async () => {
    const auth = await customAuth({ sessionInactivityTimeout: 1 });
    try {
      const { data } = await auth.client.auth.signUp({ email: uniqueEmail('idle'), password: 'idle-pass-1' });
      await new Promise((r) => setTimeout(r, 1100));
      const late = await refresh(data.session!.refresh_token, auth.fetch);
      expect(late.body).toMatchObject({ error_code: 'session_expired', msg: 'Invalid Refresh Token: Session Expired (Inactivity)' });
    } finally {
      await auth.close();
    }
  });

  it('an unknown refresh token is refresh_token_not_found', async () => {
    const r = await refresh('nosuchtoken1');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token: Refresh Token Not Found' });
  });

  it('supabase-js refreshSession works end to end', async () => {
    const { session } = await signedUp();
    const client = anonClient();
    await client.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    const { data, error } = await client.auth.refreshSession();
    expect(error).toBeNull();
    expect(data.session?.refresh_token).not.toBe(session.refresh_token);
  });
});

describe('sign out', () => {
  async function twoSessions() {
    const { email, password } = await signedUp();
    const one = (await anonClient().auth.signInWithPassword({ email, password })).data.session!;
    const two = (await anonClient().auth.signInWithPassword({ email, password })).data.session!;
    return { one, two };
  }

  async function signOut(accessToken: string, scope: string) {
    return authFetch(`/logout?scope=${scope}`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
  }

  it('scope=global ends every session of the user', async () => {
    const { one, two } = await twoSessions();
    expect((await signOut(one.access_token, 'global')).status).toBe(204);
    expect((await refresh(one.refresh_token)).status).toBe(400);
    expect((await refresh(two.refresh_token)).status).toBe(400);
  });

  it('scope=local ends only the current session', async () => {
    const { one, two } = await twoSessions();
    expect((await signOut(one.access_token, 'local')).status).toBe(204);
    expect((await refresh(one.refresh_token)).status).toBe(400);
    expect((await refresh(two.refresh_token)).status).toBe(200);
  });

  it('scope=others ends every session but the current one', async () => {
    const { one, two } = await twoSessions();
    expect((await signOut(one.access_token, 'others')).status).toBe(204);
    expect((await refresh(one.refresh_token)).status).toBe(200);
    expect((await refresh(two.refresh_token)).status).toBe(400);
  });

  it('supabase-js signOut() ends the session, and its access token then names a missing session', async () => {
    const { session } = await signedUp();
    const client = anonClient();
    await client.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    expect((await client.auth.signOut()).error).toBeNull();
    const res = await authFetch('/user', { headers: { authorization: `Bearer ${session.access_token}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error_code: 'session_not_found' });
  });

  it('an unknown scope is a validation error', async () => {
    const { session } = await signedUp();
    const res = await signOut(session.access_token, 'everyone');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Unsupported logout scope "everyone"' });
  });
});

describe('the current user', () => {
  it('GET /user answers the signed-in user; PUT /user changes data and password', async () => {
    const { email, session } = await signedUp();
    const client = anonClient();
    await client.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    const got = await client.auth.getUser();
    expect(got.data.user?.email).toBe(email);
    const updated = await client.auth.updateUser({ data: { bio: 'hello' }, password: 'brand-new-pass-2' });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toMatchObject({ bio: 'hello' });
    expect((await anonClient().auth.signInWithPassword({ email, password: 'brand-new-pass-2' })).error).toBeNull();
  });

  it('refuses the same password again with same_password', async () => {
    const { session, password } = await signedUp();
    const res = await authFetch('/user', { method: 'PUT', headers: { authorization: `Bearer ${session.access_token}` }, json: { password } });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error_code: 'same_password' });
  });

  it('getUser with an expired token is a 403 bad_jwt', async () => {
    const { user, session } = await signedUp();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...decodeJwt(session.access_token), iat: now - 7200, exp: now - 3600 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(stack().jwtSecret));
    const { data, error } = await anonClient().auth.getUser(expired);
    expect(data.user).toBeNull();
    expect(error?.status).toBe(403);
    expect(error?.code).toBe('bad_jwt');
    expect(error?.message).toBe('invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired');
    expect(user.id).toBeTruthy();
  });

  it('a deleted user can no longer refresh or read itself', async () => {
    const { user, session } = await signedUp();
    expect((await adminClient().auth.admin.deleteUser(user.id)).error).toBeNull();
    expect((await refresh(session.refresh_token)).body.error_code).toBe('refresh_token_not_found');
    const res = await authFetch('/user', { headers: { authorization: `Bearer ${session.access_token}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error_code: 'user_not_found' });
  });
});
