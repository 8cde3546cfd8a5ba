import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { adminClient, anonClient, authFetch, uniqueEmail } from './support.js';
import { stack } from '../support/env.js';

describe('admin users API (service_role only)', () => {
  it('creates a confirmed user with metadata who can sign in', async () => {
    const email = uniqueEmail('admin-made');
    const { data, error } = await adminClient().auth.admin.createUser({
      email,
      password: 'made-by-admin-1',
      email_confirm: true,
      user_metadata: { display_name: 'Made' },
      app_metadata: { plan: 'pro' },
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({
      email,
      user_metadata: { display_name: 'Made' },
      app_metadata: { provider: 'email', providers: ['email'], plan: 'pro' },
    });
    expect(data.user?.email_confirmed_at).toBeTruthy();
    const signedIn = await anonClient().auth.signInWithPassword({ email, password: 'made-by-admin-1' });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.session?.user.app_metadata.plan).toBe('pro');
  });

  it('creates a user with a chosen id and an imported bcrypt password_hash', async () => {
    const email = uniqueEmail('imported');
    const id = randomUUID();
    const passwordHash = bcrypt.hashSync('imported-pass-1', 4).replace(/^\$2b\$/, '$2a$');
    const { data, error } = await adminClient().auth.admin.createUser({ email, id, password_hash: passwordHash, email_confirm: true });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(id);
    const signedIn = await anonClient().auth.signInWithPassword({ email, password: 'imported-pass-1' });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user?.id).toBe(id);
  });

  it('refuses a malformed or nil id, and a password together with a password hash', async () => {
    const admin = { authorization: `Bearer ${stack().serviceRoleKey}` };
    const create = (json: Record<string, unknown>) => authFetch('/admin/users', { method: 'POST', headers: admin, json: { email: uniqueEmail('bad-create'), ...json } });
    const badId = await create({ id: 'user-42' });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ error_code: 'validation_failed', msg: 'ID must conform to the uuid v4 format' });
    const nilId = await create({ id: '00000000-0000-0000-0000-000000000000' });
    expect(nilId.status).toBe(400);
    expect(await nilId.json()).toMatchObject({ error_code: 'validation_failed', msg: 'ID cannot be a nil uuid' });
    const both = await create({ password: 'both-pass-1', password_hash: bcrypt.hashSync('both-pass-1', 4) });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Only a password or a password hash should be provided' });
    const taken = await create({ id: (await adminClient().auth.admin.createUser({ email: uniqueEmail('first') })).data.user!.id });
    expect(taken.status).toBe(422);
    expect(await taken.json()).toMatchObject({ error_code: 'user_already_exists' });
    // GoTrue answers a hash it cannot read with a 500; bad input is a 400 here
    const notBcrypt = await create({ password_hash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA' });
    expect(notBcrypt.status).toBe(400);
    expect(await notBcrypt.json()).toMatchObject({ error_code: 'validation_failed' });
  });

  it('refuses a duplicate email with email_exists', async () => {
    const email = uniqueEmail('dup');
    await adminClient().auth.admin.createUser({ email, password: 'dup-pass-1' });
    const { error } = await adminClient().auth.admin.createUser({ email, password: 'dup-pass-1' });
    expect(error?.status).toBe(422);
    expect(error?.code).toBe('email_exists');
  });

  it('gets, updates and lists users', async () => {
    const email = uniqueEmail('listed');
    const created = (await adminClient().auth.admin.createUser({ email, password: 'list-pass-1', email_confirm: true })).data.user!;
    const got = await adminClient().auth.admin.getUserById(created.id);
    expect(got.data.user?.email).toBe(email);
    const updated = await adminClient().auth.admin.updateUserById(created.id, { user_metadata: { tier: 2 }, app_metadata: { role_hint: 'mod' } });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata.tier).toBe(2);
    expect(updated.data.user?.app_metadata.role_hint).toBe('mod');
    const list = await adminClient().auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(list.error).toBeNull();
    expect(list.data.users.length).toBeLessThanOrEqual(2);
    const page = list.data as unknown as { total: number; nextPage: number | null; lastPage: number };
    expect(page.total).toBeGreaterThanOrEqual(1);
    expect(page.nextPage === null || page.nextPage === 2).toBe(true);
    const raw = await authFetch('/admin/users?page=1&per_page=2', { headers: { authorization: `Bearer ${stack().serviceRoleKey}` } });
    const total = Number(raw.headers.get('x-total-count'));
    expect(total).toBeGreaterThanOrEqual(page.total);
    expect(raw.headers.get('link')).toContain(`/auth/v1/admin/users?page=${Math.ceil(total / 2)}&per_page=2>; rel="last"`);
    expect(((await raw.json()) as { aud: string }).aud).toBe('authenticated');
  });

  it('updating the email sets it without confirming it; email_confirm decides email_verified', async () => {
    const created = (await adminClient().auth.admin.createUser({ email: uniqueEmail('unconfirmed'), password: 'moved-pass-1' })).data.user!;
    const next = uniqueEmail('admin-moved');
    const { data, error } = await adminClient().auth.admin.updateUserById(created.id, { email: next });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(next);
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expect(data.user?.identities?.[0].identity_data).toMatchObject({ email: next, email_verified: false });
    const last = uniqueEmail('admin-confirmed');
    const confirmed = await adminClient().auth.admin.updateUserById(created.id, { email: last, email_confirm: true });
    expect(confirmed.data.user?.email).toBe(last);
    expect(confirmed.data.user?.email_confirmed_at).toBeTruthy();
    expect(confirmed.data.user?.identities?.[0].identity_data).toMatchObject({ email: last, email_verified: true });
  });

  it('a banned user cannot sign in or refresh; lifting the ban restores both', async () => {
    const email = uniqueEmail('banned');
    const password = 'banned-pass-1';
    const user = (await adminClient().auth.admin.createUser({ email, password, email_confirm: true })).data.user!;
    const session = (await anonClient().auth.signInWithPassword({ email, password })).data.session!;
    const banned = await adminClient().auth.admin.updateUserById(user.id, { ban_duration: '24h' });
    expect(banned.error).toBeNull();
    expect(new Date(banned.data.user!.banned_until!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const signIn = await anonClient().auth.signInWithPassword({ email, password });
    expect(signIn.error?.code).toBe('user_banned');
    const refreshed = await authFetch('/token?grant_type=refresh_token', { method: 'POST', json: { refresh_token: session.refresh_token } });
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error_code: 'user_banned', msg: 'Invalid Refresh Token: User Banned' });

    await adminClient().auth.admin.updateUserById(user.id, { ban_duration: 'none' });
    expect((await anonClient().auth.signInWithPassword({ email, password })).error).toBeNull();
  });

  it('an invalid ban duration is a validation error', async () => {
    const user = (await adminClient().auth.admin.createUser({ email: uniqueEmail('ban-bad'), password: 'ban-pass-1' })).data.user!;
    const { error } = await adminClient().auth.admin.updateUserById(user.id, { ban_duration: 'forever' });
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('validation_failed');
  });

  it('deletes a user, whose sessions then end', async () => {
    const email = uniqueEmail('deleted');
    const user = (await adminClient().auth.admin.createUser({ email, password: 'delete-pass-1', email_confirm: true })).data.user!;
    const session = (await anonClient().auth.signInWithPassword({ email, password: 'delete-pass-1' })).data.session!;
    expect((await adminClient().auth.admin.deleteUser(user.id)).error).toBeNull();
    const got = await adminClient().auth.admin.getUserById(user.id);
    expect(got.error?.status).toBe(404);
    expect(got.error?.code).toBe('user_not_found');
    const refreshed = await authFetch('/token?grant_type=refresh_token', { method: 'POST', json: { refresh_token: session.refresh_token } });
    expect(refreshed.status).toBe(400);
  });

  it('is refused to anon and to signed-in users with not_admin', async () => {
    const email = uniqueEmail('not-admin');
    const { data } = await anonClient().auth.signUp({ email, password: 'plain-user-1' });
    for (const token of [stack().anonKey, data.session!.access_token]) {
      const res = await authFetch('/admin/users', { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ code: 403, error_code: 'not_admin', msg: 'User not allowed' });
    }
  });

  it('a malformed user id is a 404', async () => {
    const res = await authFetch('/admin/users/not-a-uuid', { headers: { authorization: `Bearer ${stack().serviceRoleKey}` } });
    expect(res.status).toBe(404);
  });
});
