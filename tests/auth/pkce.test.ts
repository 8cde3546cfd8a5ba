// PKCE as @supabase/ssr drives it. Checked against supabase/auth internal/api/pkce.go
// (validatePKCEParams, pkce_ prefix, issueAuthCode), verify.go (verifyGet: ?code= on the redirect,
// prepErrorRedirectURL puts errors in the query for PKCE), token.go (PKCE grant: flow_state_not_found
// 404, bad_code_verifier 400, flow state destroyed after use) and models/flow_state.go.
import { createServerClient } from '@supabase/ssr';
import { describe, expect, it } from 'vitest';
import ws from 'ws';
import { stack } from '../support/env.js';
import { adminClient, authFetch, customAuth, uniqueEmail, verifyLink, waitForMail } from './support.js';

/** What a server framework hands the client: the request's cookies, and a place to set new ones. */
class CookieJar {
  readonly cookies = new Map<string, string>();
  getAll() {
    return [...this.cookies].map(([name, value]) => ({ name, value }));
  }
  setAll(list: { name: string; value: string; options?: { maxAge?: number } }[]) {
    for (const { name, value, options } of list) {
      if (options?.maxAge === 0 || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** A fresh server client per request, over the same jar, as in a Next.js route or server action. */
function serverClient(jar: CookieJar, fetchImpl?: typeof fetch) {
  const info = stack();
  return createServerClient(info.apiUrl, info.anonKey, {
    cookies: { getAll: () => jar.getAll(), setAll: (list) => jar.setAll(list) },
    realtime: { transport: ws as never },
    ...(fetchImpl ? { global: { fetch: fetchImpl } } : {}),
  });
}

async function confirmedUser(password = 'pkce-pass-1') {
  const email = uniqueEmail('pkce');
  const { error } = await adminClient().auth.admin.createUser({ email, password, email_confirm: true });
  expect(error).toBeNull();
  return email;
}

/** Follows the mailed /verify link as the browser would and returns where it lands. */
async function follow(link: string): Promise<URL> {
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!);
}

describe('PKCE with the @supabase/ssr server client', () => {
  it('a magic link lands on the callback with ?code=, which exchangeCodeForSession turns into a session kept in cookies, once', async () => {
    const email = await confirmedUser();
    const jar = new CookieJar();
    const sent = await serverClient(jar).auth.signInWithOtp({ email, options: { emailRedirectTo: 'http://127.0.0.1:3000/auth/callback', shouldCreateUser: false } });
    expect(sent.error).toBeNull();
    const verifierCookie = [...jar.cookies.keys()].find((k) => k.endsWith('-auth-token-code-verifier'));
    expect(verifierCookie).toBeDefined();

    const link = verifyLink((await waitForMail(stack().inboxUrl, email))[0]);
    expect(new URL(link).searchParams.get('token')!.startsWith('pkce_')).toBe(true);
    const landed = await follow(link);
    expect(`${landed.origin}${landed.pathname}`).toBe('http://127.0.0.1:3000/auth/callback');
    const code = landed.searchParams.get('code')!;
    expect(code).toMatch(/^[0-9a-f-]{36}$/);
    expect(landed.hash).toBe('');

    const exchanged = await serverClient(jar).auth.exchangeCodeForSession(code);
    expect(exchanged.error).toBeNull();
    expect(exchanged.data.session?.user.email).toBe(email);
    expect([...jar.cookies.keys()].some((k) => /-auth-token(\.0)?$/.test(k))).toBe(true);
    expect(jar.cookies.has(verifierCookie!)).toBe(false);

    // the next request reads the session from the cookies alone
    const { data } = await serverClient(jar).auth.getUser();
    expect(data.user?.email).toBe(email);
    const claims = JSON.parse(Buffer.from((await serverClient(jar).auth.getSession()).data.session!.access_token.split('.')[1], 'base64url').toString());
    expect(claims.amr.map((a: { method: string }) => a.method)).toEqual(['magiclink']);

    // single use: the same code again is no flow at all
    const again = await authFetch('/token?grant_type=pkce', { method: 'POST', json: { auth_code: code, code_verifier: 'x'.repeat(43) } });
    expect(again.status).toBe(404);
    expect((await again.json()).error_code).toBe('flow_state_not_found');
  });

  it('password recovery: the code from the link gives a recovery session that can set a new password', async () => {
    const email = await confirmedUser('old-pass-1');
    const jar = new CookieJar();
    expect((await serverClient(jar).auth.resetPasswordForEmail(email, { redirectTo: 'http://127.0.0.1:3000/reset' })).error).toBeNull();
    const landed = await follow(verifyLink((await waitForMail(stack().inboxUrl, email))[0]));
    expect(landed.pathname).toBe('/reset');
    const { data, error } = await serverClient(jar).auth.exchangeCodeForSession(landed.searchParams.get('code')!);
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(email);
    expect((await serverClient(jar).auth.updateUser({ password: 'new-pass-2' })).error).toBeNull();
    const signIn = await serverClient(new CookieJar()).auth.signInWithPassword({ email, password: 'new-pass-2' });
    expect(signIn.error).toBeNull();
  });

  it('a code checked with the wrong verifier is refused (bad_code_verifier) and stays usable with the right one', async () => {
    const email = await confirmedUser();
    const jar = new CookieJar();
    await serverClient(jar).auth.signInWithOtp({ email, options: { emailRedirectTo: 'http://127.0.0.1:3000/cb' } });
    const code = (await follow(verifyLink((await waitForMail(stack().inboxUrl, email))[0]))).searchParams.get('code')!;
    const wrong = await authFetch('/token?grant_type=pkce', { method: 'POST', json: { auth_code: code, code_verifier: 'y'.repeat(56) } });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error_code: 'bad_code_verifier', msg: 'code challenge does not match previously saved code verifier' });
    expect((await serverClient(jar).auth.exchangeCodeForSession(code)).error).toBeNull();
  });

  it('a used PKCE link redirects with the error in the query as well as the fragment', async () => {
    const email = await confirmedUser();
    await serverClient(new CookieJar()).auth.signInWithOtp({ email, options: { emailRedirectTo: 'http://127.0.0.1:3000/cb' } });
    const link = verifyLink((await waitForMail(stack().inboxUrl, email))[0]);
    await follow(link);
    const second = await follow(link);
    expect(second.searchParams.get('error_code')).toBe('otp_expired');
    expect(second.searchParams.get('error')).toBe('access_denied');
    expect(new URLSearchParams(second.hash.slice(1)).get('error_code')).toBe('otp_expired');
  });

  it('sign-up confirmation with PKCE (confirmations on): the confirmation link carries a code for an email/signup session', async () => {
    const auth = await customAuth({ autoconfirm: false });
    try {
      const email = uniqueEmail('pkce-signup');
      const jar = new CookieJar();
      const signUp = await serverClient(jar, auth.fetch).auth.signUp({ email, password: 'pkce-pass-1', options: { emailRedirectTo: 'http://127.0.0.1:3000/welcome' } });
      expect(signUp.error).toBeNull();
      expect(signUp.data.session).toBeNull();
      const [mail] = await waitForMail(auth.inboxUrl, email);
      expect(mail.Subject).toBe('Confirm Your Signup');
      const landed = await follow(verifyLink(mail));
      expect(landed.pathname).toBe('/welcome');
      const { data, error } = await serverClient(jar, auth.fetch).auth.exchangeCodeForSession(landed.searchParams.get('code')!);
      expect(error).toBeNull();
      expect(data.user?.email_confirmed_at).toBeTruthy();
    } finally {
      await auth.close();
    }
  });

  it('code_challenge without its method, too short, or with foreign characters is a 400 validation_failed', async () => {
    const email = uniqueEmail('pkce-bad');
    const cases: [Record<string, string>, string][] = [
      [{ code_challenge: 'a'.repeat(43) }, 'PKCE flow requires code_challenge_method and code_challenge'],
      [{ code_challenge: 'short', code_challenge_method: 's256' }, 'code challenge has to be between 43 and 128 characters'],
      [{ code_challenge: `${'a'.repeat(42)}!`, code_challenge_method: 's256' }, 'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes'],
    ];
    for (const [extra, msg] of cases) {
      for (const path of ['/otp', '/recover', '/signup']) {
        const res = await authFetch(path, { method: 'POST', json: { email, password: 'pkce-pass-1', ...extra } });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error_code: 'validation_failed', msg });
      }
    }
    const empty = await authFetch('/token?grant_type=pkce', { method: 'POST', json: { auth_code: '', code_verifier: 'v' } });
    expect((await empty.json()).msg).toBe('invalid request: both auth code and code verifier should be non-empty');
  });
});
