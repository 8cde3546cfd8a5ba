import { randomUUID } from 'node:crypto';
import { FunctionsHttpError } from '@supabase/supabase-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { anonClient, clientWith, withDb } from '../storage/support.js';
import { mailsTo, signUp } from './support.js';

const ACCEPTED = 'If an account exists for that email, a link to reset its password has been sent.';

async function reset(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers | null }> {
  const { data, error } = await anonClient().functions.invoke('password-reset', { body });
  if (!error) return { status: 200, body: data, headers: null };
  expect(error).toBeInstanceOf(FunctionsHttpError);
  const res = (error as FunctionsHttpError).context as Response;
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** Asks for a reset and reads the token from the link in the mail. */
async function requestToken(email: string, nth = 1): Promise<string> {
  expect(await reset({ action: 'request', email })).toMatchObject({ status: 200, body: { message: ACCEPTED } });
  const mails = await mailsTo(email, nth);
  expect(mails.length).toBe(nth);
  const m = /http:\/\/127\.0\.0\.1:3000\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mails[0].Text);
  expect(m, mails[0].Text).not.toBeNull();
  return m![1];
}

async function signIn(email: string, password: string) {
  return clientWith(stack().anonKey).auth.signInWithPassword({ email, password });
}

// The first request starts the function's worker; on a fresh machine Deno fetches its npm
// packages then, which may take longer than one test's time limit.
beforeAll(async () => {
  const res = await fetch(`${stack().apiUrl}/functions/v1/password-reset`, { method: 'OPTIONS' });
  await res.arrayBuffer();
}, 240_000);

describe('password-reset function', () => {
  it('resets a password end to end through the inbox: the old one stops working, other sessions end, the token works once', async () => {
    const oldPassword = 'old-password-1';
    const user = await signUp('reset', oldPassword);
    const other = await signIn(user.email, oldPassword);
    expect(other.error).toBeNull();

    const token = await requestToken(user.email);
    const mail = (await mailsTo(user.email))[0];
    expect(mail.Subject).toBe('Reset your Agora password');
    expect(mail.HTML).toContain(`/reset-password?token=${token}`);

    const done = await reset({ action: 'confirm', token, password: 'new-password-2' });
    expect(done).toMatchObject({ status: 200, body: { message: expect.stringContaining('password has been changed') } });

    expect((await signIn(user.email, oldPassword)).error?.message).toBe('Invalid login credentials');
    const fresh = await signIn(user.email, 'new-password-2');
    expect(fresh.error).toBeNull();

    // Sessions from before the reset are gone: their refresh tokens and access tokens fail.
    const refreshed = await clientWith(stack().anonKey).auth.refreshSession({ refresh_token: other.data.session!.refresh_token });
    expect(refreshed.error).not.toBeNull();
    const stale = await clientWith(stack().anonKey).auth.getUser(user.accessToken);
    expect(stale.error).not.toBeNull();
    expect((await clientWith(stack().anonKey).auth.getUser(fresh.data.session!.access_token)).error).toBeNull();

    const again = await reset({ action: 'confirm', token, password: 'third-password-3' });
    expect(again).toMatchObject({ status: 400, body: { code: 'invalid_token' } });
    expect((await signIn(user.email, 'new-password-2')).error).toBeNull();
  });

  it('answers an unknown address exactly like a known one, and mails nothing', async () => {
    const email = `nobody-${randomUUID().slice(0, 8)}@functions.test`;
    const res = await reset({ action: 'request', email });
    expect(res).toEqual({ status: 200, body: { message: ACCEPTED }, headers: null });
    expect(await mailsTo(email, 1, 1500)).toEqual([]);
  });

  it('a weak password is refused before the token is spent', async () => {
    const user = await signUp('weak', 'first-password-1');
    const token = await requestToken(user.email);
    const weak = await reset({ action: 'confirm', token, password: 'short' });
    expect(weak).toMatchObject({ status: 422, body: { code: 'weak_password' } });
    const ok = await reset({ action: 'confirm', token, password: 'long-enough-2' });
    expect(ok.status).toBe(200);
  });

  it('an expired token gets a clear 4xx', async () => {
    const user = await signUp('expired', 'first-password-1');
    const token = await requestToken(user.email);
    await withDb((db) => db.query("update auth.users set recovery_sent_at = now() - interval '2 hours' where id = $1", [user.id]));
    const res = await reset({ action: 'confirm', token, password: 'long-enough-2' });
    expect(res).toMatchObject({ status: 400, body: { code: 'invalid_token' } });
    expect((await signIn(user.email, 'first-password-1')).error).toBeNull();
  });

  it('bad input is a 400 with the problems named', async () => {
    const res = await reset({ action: 'request', email: 'not an email' });
    expect(res).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect((res.body.details as Array<{ path: string }>)[0].path).toBe('email');
    expect((await reset({ action: 'explode' })).status).toBe(400);
    expect((await reset({ action: 'confirm', token: 'x' })).status).toBe(400);
  });

  it('is rate-limited per email', async () => {
    const email = `limited-${randomUUID().slice(0, 8)}@functions.test`;
    for (let i = 0; i < 3; i++) expect((await reset({ action: 'request', email })).status).toBe(200);
    const limited = await reset({ action: 'request', email });
    expect(limited).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(limited.headers!.get('retry-after'))).toBeGreaterThan(0);
    // Another address from the same caller is still served.
    expect((await reset({ action: 'request', email: `other-${email}` })).status).toBe(200);
  });

  // Last in this file: it spends the per-IP allowance of every test caller (all on 127.0.0.1).
  it('is rate-limited per IP', async () => {
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) {
      status = (await reset({ action: 'request', email: `ip-${i}-${randomUUID().slice(0, 6)}@functions.test` })).status;
    }
    expect(status).toBe(429);
  });
});
