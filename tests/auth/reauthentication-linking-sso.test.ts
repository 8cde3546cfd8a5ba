// Reauthentication, identity linking and SSO/OAuth when off, as GoTrue answers. Checked against
// supabase/auth internal/api/reauthenticate.go (Reauthenticate, verifyReauthentication,
// "Nonce has expired or is invalid"), user.go (UserUpdate: UpdatePasswordRequireReauthentication
// only for sessions older than 24 h, reauthentication_needed), middleware.go
// (requireManualLinkingEnabled, requireSAMLEnabled), identity.go (DeleteIdentity) and external.go
// (Provider: "Unsupported provider: ...").
import pg from 'pg';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { adminClient, anonClient, authFetch, customAuth, uniqueEmail, waitForMail, type CustomAuth } from './support.js';

let secure: CustomAuth;
let admin: pg.Client;

beforeAll(async () => {
  secure = await customAuth({ securePasswordChange: true });
  admin = new pg.Client({ connectionString: stack().dbUrl });
  await admin.connect();
});

afterAll(async () => {
  await secure?.close();
  await admin?.end();
});

async function signedIn(fetchImpl?: typeof fetch) {
  const email = uniqueEmail('reauth');
  expect((await adminClient().auth.admin.createUser({ email, password: 'reauth-pass-1', email_confirm: true })).error).toBeNull();
  const client = createClient(stack().apiUrl, stack().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
    ...(fetchImpl ? { global: { fetch: fetchImpl } } : {}),
  });
  const { data, error } = await client.auth.signInWithPassword({ email, password: 'reauth-pass-1' });
  expect(error).toBeNull();
  return { client, email, session: data.session! };
}

describe('secure_password_change and /reauthenticate', () => {
  it('a session younger than a day changes the password without a nonce', async () => {
    const { client } = await signedIn(secure.fetch);
    expect((await client.auth.updateUser({ password: 'reauth-pass-2' })).error).toBeNull();
  });

  it('an older session needs the mailed nonce; a wrong one is refused and the right one works once', async () => {
    const { client, email, session } = await signedIn(secure.fetch);
    const sessionId = JSON.parse(Buffer.from(session.access_token.split('.')[1], 'base64url').toString()).session_id;
    await admin.query("update auth.sessions set created_at = now() - interval '25 hours' where id = $1", [sessionId]);

    const refused = await client.auth.updateUser({ password: 'reauth-pass-2' });
    expect(refused.error?.status).toBe(400);
    expect(refused.error?.code).toBe('reauthentication_needed');
    expect(refused.error?.message).toBe('Password update requires reauthentication');

    const noNonceYet = await client.auth.updateUser({ password: 'reauth-pass-2', nonce: '123456' });
    expect(noNonceYet.error?.code).toBe('reauthentication_not_valid');

    expect((await client.auth.reauthenticate()).error).toBeNull();
    const [mail] = await waitForMail(secure.inboxUrl, email);
    expect(mail.Subject).toBe('Confirm reauthentication');
    const nonce = /Enter the code: (\d+)/.exec(mail.HTML)![1];

    const wrong = await client.auth.updateUser({ password: 'reauth-pass-2', nonce: nonce === '000000' ? '111111' : '000000' });
    expect(wrong.error?.status).toBe(422);
    expect(wrong.error?.code).toBe('reauthentication_not_valid');
    expect(wrong.error?.message).toBe('Nonce has expired or is invalid');

    expect((await client.auth.updateUser({ password: 'reauth-pass-2', nonce })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'reauth-pass-2' })).error).toBeNull();
    // used up
    const again = await client.auth.updateUser({ password: 'reauth-pass-3', nonce });
    expect(again.error?.code).toBe('reauthentication_not_valid');
  });

  it('reauthenticate follows max_frequency and needs a signed-in user', async () => {
    const slow = await customAuth({ securePasswordChange: true, maxFrequencySeconds: 60 });
    try {
      const { client } = await signedIn(slow.fetch);
      expect((await client.auth.reauthenticate()).error).toBeNull();
      const second = await client.auth.reauthenticate();
      expect(second.error?.status).toBe(429);
      expect(second.error?.code).toBe('over_email_send_rate_limit');
    } finally {
      await slow.close();
    }

    // Only the apikey: behind the gateway it stands for the anon JWT, which has no user
    // (GoTrue's requireAuthentication: "invalid claim: missing sub claim").
    const res = await authFetch('/reauthenticate');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 403, error_code: 'bad_jwt', msg: 'invalid claim: missing sub claim' });
  });
});

describe('identity linking with enable_manual_linking = false (the project setting)', () => {
  it('linkIdentity and unlinkIdentity answer 404 manual_linking_disabled', async () => {
    const { client, session } = await signedIn();
    const link = await client.auth.linkIdentity({ provider: 'github', options: { skipBrowserRedirect: true } });
    expect(link.error?.status).toBe(404);
    expect(link.error?.code).toBe('manual_linking_disabled');
    expect(link.error?.message).toBe('Manual linking is disabled');
    const identity = session.user.identities![0];
    const unlink = await client.auth.unlinkIdentity(identity);
    expect(unlink.error?.code).toBe('manual_linking_disabled');
  });

  it('with linking on, the last identity cannot be unlinked and a provider is still needed to link', async () => {
    const linking = await customAuth({ manualLinking: true });
    try {
      const { client, session } = await signedIn(linking.fetch);
      const unlink = await client.auth.unlinkIdentity(session.user.identities![0]);
      expect(unlink.error?.status).toBe(422);
      expect(unlink.error?.code).toBe('single_identity_not_deletable');
      const link = await client.auth.linkIdentity({ provider: 'github', options: { skipBrowserRedirect: true } });
      expect(link.error?.status).toBe(400);
      expect(link.error?.message).toBe('Unsupported provider: provider is not enabled');
    } finally {
      await linking.close();
    }
  });
});

describe('OAuth and SSO when not configured', () => {
  it('authorize for a disabled or unknown provider is a 400 validation_failed with GoTrue\'s words', async () => {
    const disabled = await authFetch('/authorize?provider=github&redirect_to=http://127.0.0.1:3000');
    expect(disabled.status).toBe(400);
    expect(await disabled.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Unsupported provider: provider is not enabled' });
    const unknown = await authFetch('/authorize?provider=myspace');
    expect((await unknown.json()).msg).toBe('Unsupported provider: Provider myspace could not be found');
  });

  it('signInWithSSO and the SAML endpoints answer 404 saml_provider_disabled', async () => {
    const { error } = await anonClient().auth.signInWithSSO({ domain: 'example.com' });
    expect(error?.status).toBe(404);
    expect(error?.code).toBe('saml_provider_disabled');
    expect(error?.message).toBe('SAML 2.0 is disabled');
    for (const [method, path] of [['GET', '/sso/saml/metadata'], ['POST', '/sso/saml/acs']] as const) {
      const res = await authFetch(path, { method });
      expect(res.status).toBe(404);
      expect((await res.json()).error_code).toBe('saml_provider_disabled');
    }
    const adminList = await authFetch('/admin/sso/providers', { headers: { authorization: `Bearer ${stack().serviceRoleKey}` } });
    expect(adminList.status).toBe(404);
    expect((await adminList.json()).error_code).toBe('saml_provider_disabled');
    const anonList = await authFetch('/admin/sso/providers', { headers: { authorization: `Bearer ${stack().anonKey}` } });
    expect(anonList.status).toBe(403);
  });
});
