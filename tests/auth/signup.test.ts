import { decodeJwt } from 'jose';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { adminClient, anonClient, customAuth, fragment, uniqueEmail, verifyLink, waitForMail, type CustomAuth } from './support.js';

describe('sign up without confirmations (the project default)', () => {
  it('answers a session and a confirmed user; data becomes user_metadata', async () => {
    const email = uniqueEmail('signup');
    const { data, error } = await anonClient().auth.signUp({ email, password: 'signup-pass-1', options: { data: { display_name: 'Ann' } } });
    expect(error).toBeNull();
    expect(data.session?.access_token).toBeTruthy();
    expect(data.user).toMatchObject({
      email,
      aud: 'authenticated',
      role: 'authenticated',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { display_name: 'Ann', email, email_verified: true, phone_verified: false },
      is_anonymous: false,
    });
    expect(data.user?.email_confirmed_at).toBeTruthy();
    expect(data.user?.identities).toHaveLength(1);
    expect(data.user?.identities?.[0]).toMatchObject({ provider: 'email', id: data.user!.id, user_id: data.user!.id });
    // GoTrue copies the sign-up data's keys into the identity's data too.
    expect(data.user?.identities?.[0].identity_data).toMatchObject({ display_name: 'Ann', sub: data.user!.id, email });
  });

  it('refuses an address that is already registered with user_already_exists', async () => {
    const email = uniqueEmail('twice');
    await anonClient().auth.signUp({ email, password: 'signup-pass-1' });
    const { error } = await anonClient().auth.signUp({ email, password: 'signup-pass-2' });
    expect(error?.status).toBe(422);
    expect(error?.code).toBe('user_already_exists');
  });

  it('refuses a weak password with weak_password and its reasons', async () => {
    const { error } = await anonClient().auth.signUp({ email: uniqueEmail('weak'), password: '123' });
    expect(error?.status).toBe(422);
    expect(error?.code).toBe('weak_password');
    expect(error?.message).toBe('Password should be at least 6 characters.');
    expect((error as unknown as { reasons: string[] }).reasons).toEqual(['length']);
  });

  it('refuses an invalid email address', async () => {
    const { error } = await anonClient().auth.signUp({ email: 'not-an-email', password: 'signup-pass-1' });
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('validation_failed');
  });
});

describe('sign up with confirmations', () => {
  let auth: CustomAuth;
  beforeAll(async () => {
    auth = await customAuth({ autoconfirm: false });
  });
  afterAll(async () => auth.close());

  it('answers the user without a session, mails a confirmation, and the link signs the user in', async () => {
    const email = uniqueEmail('confirm');
    const { data, error } = await auth.client.auth.signUp({ email, password: 'confirm-pass-1' });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expect(data.user?.confirmation_sent_at).toBeTruthy();

    const refused = await auth.client.auth.signInWithPassword({ email, password: 'confirm-pass-1' });
    expect(refused.error?.code).toBe('email_not_confirmed');

    const [mail] = await waitForMail(auth.inboxUrl, email);
    expect(mail.Subject).toBe('Confirm Your Signup');
    const link = new URL(verifyLink(mail));
    expect(link.searchParams.get('type')).toBe('signup');
    const res = await auth.fetch(`${stack().apiUrl}${link.pathname}${link.search}`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location.startsWith(auth.settings.siteUrl)).toBe(true);
    const session = fragment(location);
    expect(session).toMatchObject({ token_type: 'bearer', type: 'signup', expires_in: '3600' });
    expect(session.access_token).toBeTruthy();
    expect(session.refresh_token).toBeTruthy();

    const signedIn = await auth.client.auth.signInWithPassword({ email, password: 'confirm-pass-1' });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user?.email_confirmed_at).toBeTruthy();
  });

  it('a used confirmation link redirects with otp_expired in the fragment', async () => {
    const email = uniqueEmail('confirm-twice');
    await auth.client.auth.signUp({ email, password: 'confirm-pass-1' });
    const [mail] = await waitForMail(auth.inboxUrl, email);
    const link = new URL(verifyLink(mail));
    await auth.fetch(`${stack().apiUrl}${link.pathname}${link.search}`, { redirect: 'manual' });
    const again = await auth.fetch(`${stack().apiUrl}${link.pathname}${link.search}`, { redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(fragment(again.headers.get('location')!)).toEqual({
      error: 'access_denied',
      error_code: 'otp_expired',
      error_description: 'Email link is invalid or has expired',
      sb: '',
    });
  });

  it('the emailed code confirms through verifyOtp', async () => {
    const email = uniqueEmail('confirm-code');
    await auth.client.auth.signUp({ email, password: 'confirm-pass-1' });
    const [mail] = await waitForMail(auth.inboxUrl, email);
    const code = /enter the code: (\d+)/.exec(mail.HTML)![1];
    const { data, error } = await auth.client.auth.verifyOtp({ email, token: code, type: 'signup' });
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(email);
    expect(data.user?.email_confirmed_at).toBeTruthy();
  });

  it('a confirmed address signing up again gets an obfuscated user instead of an error', async () => {
    const email = uniqueEmail('known');
    await auth.client.auth.signUp({ email, password: 'confirm-pass-1' });
    const [mail] = await waitForMail(auth.inboxUrl, email);
    const code = /enter the code: (\d+)/.exec(mail.HTML)![1];
    const first = await auth.client.auth.verifyOtp({ email, token: code, type: 'signup' });
    const { data, error } = await auth.client.auth.signUp({ email, password: 'other-pass-1' });
    expect(error).toBeNull();
    expect(data.user?.id).not.toBe(first.data.user?.id);
    expect(data.user?.identities).toEqual([]);
    // sanitizeUser: no role, unconfirmed, as a brand-new sign-up would look.
    expect(data.user).toMatchObject({ role: '', email, aud: 'authenticated' });
    expect(data.user?.email_confirmed_at).toBeUndefined();
  });

  it('signing up again as an unconfirmed user changes neither password nor metadata; it only mails the confirmation again', async () => {
    const email = uniqueEmail('pending');
    const first = await auth.client.auth.signUp({ email, password: 'owner-pass-1', options: { data: { name: 'owner' } } });
    expect(first.error).toBeNull();
    await new Promise((r) => setTimeout(r, 1100)); // past max_frequency (1s)
    const again = await auth.client.auth.signUp({ email, password: 'intruder-pass-2', options: { data: { name: 'intruder' } } });
    expect(again.error).toBeNull();
    expect(again.data.user?.id).toBe(first.data.user?.id);
    expect(again.data.user?.user_metadata.name).toBe('owner');
    const mails = await waitForMail(auth.inboxUrl, email, 2);
    expect(mails.map((m) => m.Subject)).toEqual(['Confirm Your Signup', 'Confirm Your Signup']);
    const code = /enter the code: (\d+)/.exec(mails[1].HTML)![1];
    const confirmed = await auth.client.auth.verifyOtp({ email, token: code, type: 'signup' });
    expect(confirmed.error).toBeNull();
    expect(confirmed.data.user?.user_metadata.name).toBe('owner');
    expect((await auth.client.auth.signInWithPassword({ email, password: 'intruder-pass-2' })).error?.code).toBe('invalid_credentials');
    expect((await auth.client.auth.signInWithPassword({ email, password: 'owner-pass-1' })).error).toBeNull();
  });
});

describe('sign-up switches', () => {
  it('enable_signup = false refuses sign-ups with signup_disabled and magic-link sign-ups too', async () => {
    const auth = await customAuth({ enableSignup: false });
    try {
      const { error } = await auth.client.auth.signUp({ email: uniqueEmail('closed'), password: 'closed-pass-1' });
      expect(error?.status).toBe(422);
      expect(error?.code).toBe('signup_disabled');
      const otp = await auth.client.auth.signInWithOtp({ email: uniqueEmail('closed-otp') });
      expect(otp.error?.code).toBe('signup_disabled');
    } finally {
      await auth.close();
    }
  });

  it('[auth.email] enable_signup = false refuses with email_provider_disabled', async () => {
    const auth = await customAuth({ emailEnabled: false });
    try {
      const { error } = await auth.client.auth.signUp({ email: uniqueEmail('noemail'), password: 'closed-pass-1' });
      expect(error?.status).toBe(400);
      expect(error?.code).toBe('email_provider_disabled');
    } finally {
      await auth.close();
    }
  });
});

describe('phone sign-ups', () => {
  it('are refused with 400 phone_provider_disabled while the phone provider is off', async () => {
    const { error } = await anonClient().auth.signUp({ phone: '+15555550123', password: 'phone-pass-1' });
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('phone_provider_disabled');
    expect(error?.message).toBe('Phone signups are disabled');
  });
});

describe('anonymous sign-ins', () => {
  it('are refused while enable_anonymous_sign_ins is false (the project default)', async () => {
    const { error } = await anonClient().auth.signInAnonymously();
    expect(error?.status).toBe(422);
    expect(error?.code).toBe('anonymous_provider_disabled');
  });

  it('when enabled, give an anonymous session that an email and password make permanent', async () => {
    const auth = await customAuth({ anonymousSignIns: true });
    try {
      const { data, error } = await auth.client.auth.signInAnonymously({ options: { data: { theme: 'dark' } } });
      expect(error).toBeNull();
      expect(data.user).toMatchObject({ is_anonymous: true, email: '', app_metadata: { provider: 'anonymous', providers: ['anonymous'] }, user_metadata: { theme: 'dark' } });
      const claims = decodeJwt(data.session!.access_token);
      expect(claims).toMatchObject({ is_anonymous: true, role: 'authenticated', amr: [{ method: 'anonymous' }] });
      const email = uniqueEmail('was-anon');
      const upgraded = await auth.client.auth.updateUser({ email, password: 'no-longer-anon-1' });
      expect(upgraded.error).toBeNull();
      expect(upgraded.data.user).toMatchObject({ email, is_anonymous: false, app_metadata: { provider: 'email' } });
      expect((await auth.client.auth.signInWithPassword({ email, password: 'no-longer-anon-1' })).error).toBeNull();
    } finally {
      await auth.close();
    }
  });

  it('an admin giving an anonymous user an email makes it an email user: identity and providers', async () => {
    const auth = await customAuth({ anonymousSignIns: true });
    try {
      const anon = (await auth.client.auth.signInAnonymously()).data.user!;
      const email = uniqueEmail('admin-made');
      const { data, error } = await adminClient().auth.admin.updateUserById(anon.id, { email, email_confirm: true });
      expect(error).toBeNull();
      expect(data.user?.app_metadata).toMatchObject({ provider: 'email', providers: ['email'] });
      expect(data.user?.identities?.map((i) => i.provider)).toEqual(['email']);
      expect(data.user?.is_anonymous).toBe(false);
    } finally {
      await auth.close();
    }
  });

  it('an anonymous user cannot set a password without also giving an email', async () => {
    const auth = await customAuth({ anonymousSignIns: true });
    try {
      expect((await auth.client.auth.signInAnonymously()).error).toBeNull();
      const { error } = await auth.client.auth.updateUser({ password: 'lonely-password-1' });
      expect(error?.status).toBe(422);
      expect(error?.code).toBe('validation_failed');
      expect(error?.message).toBe('Updating password of an anonymous user without an email or phone is not allowed');
    } finally {
      await auth.close();
    }
  });
});

describe('triggers on auth.users', () => {
  it('a user created through the API fires an after insert trigger, connected as supabase_auth_admin as on Supabase', async () => {
    const schema = `trig_${randomBytes(4).toString('hex')}`;
    const probe = `probe_${randomBytes(4).toString('hex')}`;
    const db = new pg.Client({ connectionString: stack().dbUrl });
    await db.connect();
    try {
      await db.query(`create schema ${schema}`);
      await db.query(`create table ${schema}.seen (id uuid primary key, username text, by_role text, provider text)`);
      await db.query(`create function ${schema}.record() returns trigger language plpgsql security definer set search_path = '' as $$
        begin
          insert into ${schema}.seen values (new.id, new.raw_user_meta_data ->> 'username', session_user, new.raw_app_meta_data ->> 'provider');
          return new;
        end $$`);
      await db.query(`create trigger ${probe} after insert on auth.users for each row
        when (new.raw_user_meta_data ? '${probe}') execute function ${schema}.record()`);

      const email = uniqueEmail('trigger');
      const { data, error } = await anonClient().auth.signUp({ email, password: 'trigger-pass-1', options: { data: { username: 'trig_user', [probe]: true } } });
      expect(error).toBeNull();
      const { rows } = await db.query(`select * from ${schema}.seen`);
      expect(rows).toEqual([{ id: data.user!.id, username: 'trig_user', by_role: 'supabase_auth_admin', provider: 'email' }]);
    } finally {
      await db.query(`drop trigger if exists ${probe} on auth.users`);
      await db.query(`drop schema if exists ${schema} cascade`);
      await db.end();
    }
  });

  it('a trigger that raises rolls the whole sign-up back', async () => {
    const probe = `fail_${randomBytes(4).toString('hex')}`;
    const db = new pg.Client({ connectionString: stack().dbUrl });
    await db.connect();
    try {
      await db.query(`create function public.${probe}() returns trigger language plpgsql as $$ begin raise exception 'no thanks'; end $$`);
      await db.query(`create trigger ${probe} after insert on auth.users for each row when (new.raw_user_meta_data ? '${probe}') execute function public.${probe}()`);
      const email = uniqueEmail('refused');
      const res = await fetch(`${stack().apiUrl}/auth/v1/signup`, {
        method: 'POST',
        headers: { apikey: stack().anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'trigger-pass-1', data: { [probe]: true } }),
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ error_code: 'unexpected_failure', msg: 'Database error saving new user' });
      const { rows } = await db.query('select count(*)::int n from auth.users where email = $1', [email]);
      expect(rows[0].n).toBe(0);
    } finally {
      await db.query(`drop trigger if exists ${probe} on auth.users`);
      await db.query(`drop function if exists public.${probe}()`);
      await db.end();
    }
  });

  it("the app's profiles trigger creates a profile from the sign-up username when that migration is present", async () => {
    const db = new pg.Client({ connectionString: stack().dbUrl });
    await db.connect();
    try {
      const present = (await db.query("select to_regclass('public.profiles') is not null as p")).rows[0].p;
      if (!present) return;
      const username = `u_${randomBytes(4).toString('hex')}`;
      const { data, error } = await anonClient().auth.signUp({ email: uniqueEmail('profile'), password: 'profile-pass-1', options: { data: { username } } });
      expect(error).toBeNull();
      const { rows } = await db.query('select username::text from public.profiles where id = $1', [data.user!.id]);
      expect(rows).toEqual([{ username }]);
    } finally {
      await db.end();
    }
  });
});
