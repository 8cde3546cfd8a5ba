import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { adminClient, anonClient, authFetch, customAuth, fragment, otpCode, uniqueEmail, verifyLink, waitForMail } from './support.js';

async function confirmedUser(password = 'flow-pass-1') {
  const email = uniqueEmail('flow');
  const { error } = await anonClient().auth.signUp({ email, password });
  expect(error).toBeNull();
  return { email, password };
}

describe('password recovery end to end through the inbox', () => {
  it('resetPasswordForEmail mails a link; following it gives a session that can set a new password', async () => {
    const { email } = await confirmedUser();
    const { error } = await anonClient().auth.resetPasswordForEmail(email, { redirectTo: 'http://127.0.0.1:3000/reset' });
    expect(error).toBeNull();

    const [mail] = await waitForMail(stack().inboxUrl, email);
    expect(mail.Subject).toBe('Reset Your Password');
    expect(mail.From.Address).toBe('admin@email.com');
    const link = verifyLink(mail);
    expect(link.startsWith(`${stack().apiUrl}/auth/v1/verify?token=`)).toBe(true);
    expect(new URL(link).searchParams.get('type')).toBe('recovery');

    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location.startsWith('http://127.0.0.1:3000/reset#')).toBe(true);
    const session = fragment(location);
    expect(session.type).toBe('recovery');

    const client = anonClient();
    await client.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    expect((await client.auth.updateUser({ password: 'recovered-pass-2' })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'flow-pass-1' })).error?.code).toBe('invalid_credentials');
    expect((await anonClient().auth.signInWithPassword({ email, password: 'recovered-pass-2' })).error).toBeNull();
  });

  it('the recovery code works with verifyOtp, once', async () => {
    const { email } = await confirmedUser();
    await anonClient().auth.resetPasswordForEmail(email);
    const [mail] = await waitForMail(stack().inboxUrl, email);
    const token = otpCode(mail);
    const ok = await anonClient().auth.verifyOtp({ email, token, type: 'recovery' });
    expect(ok.error).toBeNull();
    expect(ok.data.session?.user.email).toBe(email);
    const again = await anonClient().auth.verifyOtp({ email, token, type: 'recovery' });
    expect(again.error?.status).toBe(403);
    expect(again.error?.code).toBe('otp_expired');
  });

  it('an unknown address answers the same empty success and sends nothing', async () => {
    const email = uniqueEmail('ghost');
    const res = await authFetch('/recover', { method: 'POST', json: { email } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const search = await (await fetch(`${stack().inboxUrl}/api/v1/search?query=${encodeURIComponent(`to:"${email}"`)}`)).json();
    expect(search.messages_count).toBe(0);
  });

  it('asking again within max_frequency is a 429 over_email_send_rate_limit', async () => {
    const { email } = await confirmedUser();
    expect((await authFetch('/recover', { method: 'POST', json: { email } })).status).toBe(200);
    const res = await authFetch('/recover', { method: 'POST', json: { email } });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error_code: 'over_email_send_rate_limit', msg: expect.stringMatching(/^For security purposes, you can only request this after \d+ seconds\.$/) });
  });
});

describe('magic links', () => {
  it('signInWithOtp mails a magic link whose code signs in with verifyOtp', async () => {
    const { email } = await confirmedUser();
    const { error } = await anonClient().auth.signInWithOtp({ email });
    expect(error).toBeNull();
    const [mail] = await waitForMail(stack().inboxUrl, email);
    expect(mail.Subject).toBe('Your Magic Link');
    const { data, error: verifyError } = await anonClient().auth.verifyOtp({ email, token: otpCode(mail), type: 'email' });
    expect(verifyError).toBeNull();
    expect(data.session?.user.email).toBe(email);
  });

  it('the magic link itself redirects with a session in the fragment', async () => {
    const { email } = await confirmedUser();
    await anonClient().auth.signInWithOtp({ email });
    const [mail] = await waitForMail(stack().inboxUrl, email);
    const res = await fetch(verifyLink(mail), { redirect: 'manual' });
    expect(res.status).toBe(303);
    const session = fragment(res.headers.get('location')!);
    expect(session.type).toBe('magiclink');
    // GoTrue marks its redirects with an empty `sb` key.
    expect(res.headers.get('location')).toMatch(/&sb=&token_type=bearer&type=magiclink$/);
    const { data } = await anonClient().auth.getUser(session.access_token);
    expect(data.user?.email).toBe(email);
  });

  it('signs up a new address unless shouldCreateUser is false', async () => {
    const fresh = uniqueEmail('newcomer');
    expect((await anonClient().auth.signInWithOtp({ email: fresh })).error).toBeNull();
    const [mail] = await waitForMail(stack().inboxUrl, fresh);
    expect((await anonClient().auth.verifyOtp({ email: fresh, token: otpCode(mail), type: 'email' })).data.user?.email).toBe(fresh);

    const { error } = await anonClient().auth.signInWithOtp({ email: uniqueEmail('stranger'), options: { shouldCreateUser: false } });
    expect(error?.status).toBe(422);
    expect(error?.code).toBe('otp_disabled');
  });
});

describe('redirect allow-list', () => {
  async function magicLinkTo(redirectTo: string) {
    const { email } = await confirmedUser();
    await anonClient().auth.signInWithOtp({ email, options: { emailRedirectTo: redirectTo } });
    const [mail] = await waitForMail(stack().inboxUrl, email);
    const res = await fetch(verifyLink(mail), { redirect: 'manual' });
    return res.headers.get('location')!;
  }

  it('keeps an allowed redirect (site_url host or additional_redirect_urls)', async () => {
    expect((await magicLinkTo('https://127.0.0.1:3000')).startsWith('https://127.0.0.1:3000#access_token=')).toBe(true);
    expect((await magicLinkTo('http://127.0.0.1:3000/welcome')).startsWith('http://127.0.0.1:3000/welcome#')).toBe(true);
  });

  it('replaces any other redirect with site_url', async () => {
    const location = await magicLinkTo('https://evil.example.com/steal');
    expect(location.startsWith('http://127.0.0.1:3000#access_token=')).toBe(true);
  });

  it('GET /verify with a bad token sends the error to site_url, not to a foreign redirect_to', async () => {
    const res = await authFetch('/verify?token=deadbeef&type=magiclink&redirect_to=https%3A%2F%2Fevil.example.com', {});
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location.startsWith('http://127.0.0.1:3000#')).toBe(true);
    expect(fragment(location)).toMatchObject({ error_code: 'otp_expired', error: 'access_denied', sb: '' });
  });
});

describe('resend, generate_link and email change', () => {
  it('resend mails a new confirmation to an unconfirmed sign-up', async () => {
    const auth = await customAuth({ autoconfirm: false, maxFrequencySeconds: 0 });
    try {
      const email = uniqueEmail('resend');
      await auth.client.auth.signUp({ email, password: 'resend-pass-1' });
      expect((await auth.client.auth.resend({ type: 'signup', email })).error).toBeNull();
      const mails = await waitForMail(auth.inboxUrl, email, 2);
      expect(mails.map((m) => m.Subject)).toEqual(['Confirm Your Signup', 'Confirm Your Signup']);
      // Only the latest code is valid.
      expect((await auth.client.auth.verifyOtp({ email, token: otpCode(mails[0]), type: 'signup' })).error?.code).toBe('otp_expired');
      expect((await auth.client.auth.verifyOtp({ email, token: otpCode(mails[1]), type: 'signup' })).error).toBeNull();
    } finally {
      await auth.close();
    }
  });

  it('resend of an email change mails the new address again', async () => {
    const auth = await customAuth({ autoconfirm: false, secureEmailChange: false, maxFrequencySeconds: 0 });
    try {
      const email = uniqueEmail('resend-old');
      await auth.client.auth.signUp({ email, password: 'resend-pass-1' });
      const [confirmation] = await waitForMail(auth.inboxUrl, email);
      const { data } = await auth.client.auth.verifyOtp({ email, token: otpCode(confirmation), type: 'signup' });
      await auth.client.auth.setSession(data.session!);
      const next = uniqueEmail('resend-new');
      await auth.client.auth.updateUser({ email: next });
      expect((await auth.client.auth.resend({ type: 'email_change', email: next })).error).toBeNull();
      const mails = await waitForMail(auth.inboxUrl, next, 2);
      const done = await auth.client.auth.verifyOtp({ email: next, token: otpCode(mails[1]), type: 'email_change' });
      expect(done.error).toBeNull();
      expect(done.data.user?.email).toBe(next);
    } finally {
      await auth.close();
    }
  });

  it('admin generateLink answers the link and code without sending mail', async () => {
    const { email } = await confirmedUser();
    const { data, error } = await adminClient().auth.admin.generateLink({ type: 'magiclink', email });
    expect(error).toBeNull();
    expect(data.properties?.verification_type).toBe('magiclink');
    expect(data.properties?.email_otp).toMatch(/^\d{6}$/);
    expect(data.properties?.action_link).toContain(`/auth/v1/verify?token=${data.properties?.hashed_token}&type=magiclink`);
    expect(data.user?.email).toBe(email);
    const { data: verified, error: verifyError } = await anonClient().auth.verifyOtp({ token_hash: data.properties!.hashed_token, type: 'magiclink' });
    expect(verifyError).toBeNull();
    expect(verified.user?.email).toBe(email);
  });

  it('admin generateLink for a magic link to an unknown address signs it up and answers a signup link', async () => {
    const email = uniqueEmail('link-new');
    const { data, error } = await adminClient().auth.admin.generateLink({ type: 'magiclink', email });
    expect(error).toBeNull();
    expect(data.properties?.verification_type).toBe('signup');
    expect(data.properties?.action_link).toContain('&type=signup&');
    expect(data.user).toMatchObject({ email, app_metadata: { provider: 'email' } });
    expect(data.user?.email_confirmed_at).toBeUndefined();
    const verified = await anonClient().auth.verifyOtp({ token_hash: data.properties!.hashed_token, type: 'signup' });
    expect(verified.error).toBeNull();
    expect(verified.data.user?.id).toBe(data.user?.id);
    // Recovery still needs an existing user.
    const recovery = await adminClient().auth.admin.generateLink({ type: 'recovery', email: uniqueEmail('link-ghost') });
    expect([recovery.error?.status, recovery.error?.code]).toEqual([404, 'user_not_found']);
  });

  it('admin generate_link names an unknown type, and refuses email_change_current without double_confirm_changes', async () => {
    const { email } = await confirmedUser();
    const admin = { authorization: `Bearer ${stack().serviceRoleKey}` };
    const bogus = await authFetch('/admin/generate_link', { method: 'POST', headers: admin, json: { type: 'bogus', email } });
    expect(bogus.status).toBe(400);
    expect(await bogus.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Invalid email action link type requested: bogus' });
    const auth = await customAuth({ secureEmailChange: false });
    try {
      const res = await auth.fetch(`${stack().apiUrl}/auth/v1/admin/generate_link`, {
        method: 'POST',
        headers: { ...admin, apikey: stack().anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'email_change_current', email, new_email: uniqueEmail('link-next') }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Enable secure email change to generate link for current email' });
    } finally {
      await auth.close();
    }
  });

  it('an admin may re-invite at once: invites have no max_frequency', async () => {
    const email = uniqueEmail('reinvited');
    expect((await adminClient().auth.admin.inviteUserByEmail(email)).error).toBeNull();
    const again = await adminClient().auth.admin.inviteUserByEmail(email);
    expect(again.error).toBeNull();
    const mails = await waitForMail(stack().inboxUrl, email, 2);
    expect(mails.map((m) => m.Subject)).toEqual(['You have been invited', 'You have been invited']);
  });

  it('an invited user follows the invite link and sets a password', async () => {
    const email = uniqueEmail('invited');
    const { data, error } = await adminClient().auth.admin.inviteUserByEmail(email, { data: { invited_by: 'admin' } });
    expect(error).toBeNull();
    expect(data.user?.invited_at).toBeTruthy();
    const [mail] = await waitForMail(stack().inboxUrl, email);
    expect(mail.Subject).toBe('You have been invited');
    const res = await fetch(verifyLink(mail), { redirect: 'manual' });
    const session = fragment(res.headers.get('location')!);
    expect(session.type).toBe('invite');
    const client = anonClient();
    await client.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
    expect((await client.auth.updateUser({ password: 'invited-pass-1' })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'invited-pass-1' })).error).toBeNull();
  });

  it('a permanent user keeps the email until a mailed link is followed, even with confirmations off; both addresses are mailed', async () => {
    const { email, password } = await confirmedUser();
    const client = anonClient();
    await client.auth.signInWithPassword({ email, password });
    const next = uniqueEmail('moved');
    const { data, error } = await client.auth.updateUser({ email: next });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
    expect(data.user?.new_email).toBe(next);
    expect(data.user?.email_change_sent_at).toBeTruthy();
    expect((await anonClient().auth.signInWithPassword({ email: next, password })).error?.code).toBe('invalid_credentials');

    // double_confirm_changes = true: the current address is asked too.
    const [toNew] = await waitForMail(stack().inboxUrl, next);
    const [toOld] = await waitForMail(stack().inboxUrl, email);
    expect([toNew.Subject, toOld.Subject]).toEqual(['Confirm Email Change', 'Confirm Email Change']);
    // With confirmations off one followed link completes the change.
    const res = await fetch(verifyLink(toNew), { redirect: 'manual' });
    expect(fragment(res.headers.get('location')!).type).toBe('email_change');
    expect((await anonClient().auth.signInWithPassword({ email: next, password })).error).toBeNull();
  });

  it('with confirmations and double_confirm_changes both addresses must confirm', async () => {
    const auth = await customAuth({ autoconfirm: false, secureEmailChange: true });
    try {
      const email = uniqueEmail('old');
      await auth.client.auth.signUp({ email, password: 'change-pass-1' });
      const [confirmation] = await waitForMail(auth.inboxUrl, email);
      const { data: signedIn } = await auth.client.auth.verifyOtp({ email, token: otpCode(confirmation), type: 'signup' });
      await auth.client.auth.setSession(signedIn.session!);
      const next = uniqueEmail('new');
      const { data, error } = await auth.client.auth.updateUser({ email: next });
      expect(error).toBeNull();
      expect(data.user?.email).toBe(email);
      expect(data.user?.new_email).toBe(next);

      const [toNew] = await waitForMail(auth.inboxUrl, next);
      const [, toOld] = await waitForMail(auth.inboxUrl, email, 2);
      expect(toNew.Subject).toBe('Confirm Email Change');
      const first = await auth.client.auth.verifyOtp({ email: next, token: otpCode(toNew), type: 'email_change' });
      expect(first.error).toBeNull();
      expect(first.data.session).toBeNull();
      const second = await auth.client.auth.verifyOtp({ email, token: otpCode(toOld), type: 'email_change' });
      expect(second.error).toBeNull();
      expect(second.data.user?.email).toBe(next);
    } finally {
      await auth.close();
    }
  });
});
