// MFA with TOTP as supabase-js drives it. Checked against supabase/auth internal/api/mfa.go
// (EnrollFactor, validateFactors, ChallengeFactor, validateChallenge, verifyTOTPFactor with Skew 1,
// UnenrollFactor needing aal2 for a verified factor), internal/models/factor.go
// (DowngradeSessionsToAAL1), token.go (updateMFASessionAndClaims), models/sessions.go
// (CalculateAALAndAMR), admin.go (adminUserGetFactors, adminUserDeleteFactor) and auth-js
// GoTrueClient.ts (_getAuthenticatorAssuranceLevel).
import * as OTPAuth from 'otpauth';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { loadFixture } from '../rest/support.js';
import { adminClient, anonClient, customAuth, uniqueEmail, type CustomAuth } from './support.js';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';

let auth: CustomAuth;
let admin: pg.Client;
const TABLE = `mfa_secret_${process.pid}`;

beforeAll(async () => {
  auth = await customAuth({ mfa: { maxEnrolledFactors: 10, totp: { enroll: true, verify: true } } });
  admin = new pg.Client({ connectionString: stack().dbUrl });
  await admin.connect();
  await loadFixture(); // the test-only schema the REST layer serves, where this file's table lives
  // A fixture table whose rows only an aal2 session may read, served by /rest/v1.
  await admin.query(`
    create table rest_test.${TABLE} (id int primary key, secret text not null);
    alter table rest_test.${TABLE} enable row level security;
    create policy aal2_only on rest_test.${TABLE} for select to authenticated using ((select auth.jwt()->>'aal') = 'aal2');
    grant usage on schema rest_test to authenticated;
    grant select on rest_test.${TABLE} to authenticated;
    insert into rest_test.${TABLE} values (1, 'launch codes');
    notify pgrst, 'reload schema';`);
});

afterAll(async () => {
  await admin?.query(`drop table if exists rest_test.${TABLE}; notify pgrst, 'reload schema';`);
  await admin?.end();
  await auth?.close();
});

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

async function signedIn() {
  const email = uniqueEmail('mfa');
  const password = 'mfa-pass-1';
  expect((await adminClient().auth.admin.createUser({ email, password, email_confirm: true })).error).toBeNull();
  const client = createClient(stack().apiUrl, stack().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws as never },
    global: { fetch: auth.fetch },
  });
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  expect(error).toBeNull();
  return { client, email, password, userId: data.user!.id, aal1Token: data.session!.access_token };
}

const codeFor = (secret: string, timestamp = Date.now()) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp });

/** Reads the fixture table through /rest/v1 with this access token. */
async function readSecret(token: string): Promise<unknown[]> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${stack().apiUrl}/rest/v1/${TABLE}?select=secret`, {
      headers: { apikey: stack().anonKey, authorization: `Bearer ${token}`, 'Accept-Profile': 'rest_test' },
    });
    if (res.status !== 404) {
      expect(res.status).toBe(200);
      return (await res.json()) as unknown[];
    }
    await new Promise((r) => setTimeout(r, 100)); // schema cache reload
  }
  throw new Error('table never served');
}

describe('TOTP factors', () => {
  it('enroll → challenge → verify with a computed code raises the session to aal2; RLS sees it; refresh keeps it; unenroll drops to aal1 on refresh', async () => {
    const { client, userId, aal1Token } = await signedIn();
    expect((await client.auth.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });

    const enrolled = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone app' });
    expect(enrolled.error).toBeNull();
    const factor = enrolled.data!;
    expect(factor.type).toBe('totp');
    expect(factor.friendly_name).toBe('phone app');
    expect(factor.totp.qr_code.startsWith('data:image/svg+xml;utf-8,<svg')).toBe(true);
    expect(factor.totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(factor.totp.uri.startsWith('otpauth://totp/')).toBe(true);
    expect(new URL(factor.totp.uri).searchParams.get('secret')).toBe(factor.totp.secret);
    // unverified: not yet a next level
    expect((await client.auth.mfa.getAuthenticatorAssuranceLevel()).data?.nextLevel).toBe('aal1');

    const challenge = await client.auth.mfa.challenge({ factorId: factor.id });
    expect(challenge.error).toBeNull();
    expect(challenge.data!.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(290);

    const wrong = await client.auth.mfa.verify({ factorId: factor.id, challengeId: challenge.data!.id, code: '000000' === codeFor(factor.totp.secret) ? '111111' : '000000' });
    expect(wrong.error?.status).toBe(422);
    expect(wrong.error?.code).toBe('mfa_verification_failed');

    // the previous 30 s step is still accepted (verification window of one step each side)
    const verified = await client.auth.mfa.verify({ factorId: factor.id, challengeId: challenge.data!.id, code: codeFor(factor.totp.secret, Date.now() - 30_000) });
    expect(verified.error).toBeNull();
    const aal2 = claimsOf(verified.data!.access_token);
    expect(aal2.aal).toBe('aal2');
    expect((aal2.amr as { method: string }[]).map((a) => a.method)).toEqual(['totp', 'password']);
    expect((await client.auth.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });

    // a used challenge cannot be verified again
    const replay = await client.auth.mfa.verify({ factorId: factor.id, challengeId: challenge.data!.id, code: codeFor(factor.totp.secret) });
    expect(replay.error?.code).toBe('mfa_ip_address_mismatch');

    expect(await readSecret(aal1Token)).toEqual([]);
    expect(await readSecret(verified.data!.access_token)).toEqual([{ secret: 'launch codes' }]);

    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(claimsOf(refreshed.data.session!.access_token).aal).toBe('aal2');

    // admin listing shows the verified factor
    const listed = await adminClient().auth.admin.mfa.listFactors({ userId });
    expect(listed.data?.factors.map((f) => [f.id, f.status])).toEqual([[factor.id, 'verified']]);

    const unenrolled = await client.auth.mfa.unenroll({ factorId: factor.id });
    expect(unenrolled.error).toBeNull();
    expect(unenrolled.data).toEqual({ id: factor.id });
    const after = await client.auth.refreshSession();
    expect(after.error).toBeNull();
    const dropped = claimsOf(after.data.session!.access_token);
    expect(dropped.aal).toBe('aal1');
    expect((dropped.amr as { method: string }[]).map((a) => a.method)).toEqual(['password']);
    expect((await client.auth.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });
    expect(await readSecret(after.data.session!.access_token)).toEqual([]);
  });

  it('a verified factor is unenrolled only from an aal2 session, and a second factor is enrolled only from one', async () => {
    const first = await signedIn();
    const factor = (await first.client.auth.mfa.enroll({ factorType: 'totp' })).data!;
    const ch = (await first.client.auth.mfa.challenge({ factorId: factor.id })).data!;
    expect((await first.client.auth.mfa.verify({ factorId: factor.id, challengeId: ch.id, code: codeFor(factor.totp.secret) })).error).toBeNull();

    // a fresh password sign-in is aal1, with aal2 as its next level
    const second = createClient(stack().apiUrl, stack().anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never }, global: { fetch: auth.fetch } });
    expect((await second.auth.signInWithPassword({ email: first.email, password: first.password })).error).toBeNull();
    expect((await second.auth.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal2' });
    const refused = await second.auth.mfa.unenroll({ factorId: factor.id });
    expect(refused.error?.status).toBe(422);
    expect(refused.error?.code).toBe('insufficient_aal');
    const enrollMore = await second.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'another' });
    expect(enrollMore.error?.status).toBe(403);
    expect(enrollMore.error?.code).toBe('insufficient_aal');

    // the admin API deletes it, and the aal2 session drops to aal1 at its next refresh
    const deleted = await adminClient().auth.admin.mfa.deleteFactor({ userId: first.userId, id: factor.id });
    expect(deleted.error).toBeNull();
    expect((await adminClient().auth.admin.mfa.listFactors({ userId: first.userId })).data?.factors).toEqual([]);
    expect(claimsOf((await first.client.auth.refreshSession()).data.session!.access_token).aal).toBe('aal1');
  });

  it('friendly names are unique per user and max_enrolled_factors caps enrolment', async () => {
    const limited = await customAuth({ mfa: { maxEnrolledFactors: 2, totp: { enroll: true, verify: true } } });
    try {
      const email = uniqueEmail('mfa-limit');
      await adminClient().auth.admin.createUser({ email, password: 'mfa-pass-1', email_confirm: true });
      const c = createClient(stack().apiUrl, stack().anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never }, global: { fetch: limited.fetch } });
      await c.auth.signInWithPassword({ email, password: 'mfa-pass-1' });
      expect((await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'a' })).error).toBeNull();
      const clash = await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'a' });
      expect(clash.error?.code).toBe('mfa_factor_name_conflict');
      expect(clash.error?.message).toBe('A factor with the friendly name "a" for this user already exists');
      expect((await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'b' })).error).toBeNull();
      const third = await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'c' });
      expect(third.error?.status).toBe(422);
      expect(third.error?.code).toBe('too_many_enrolled_mfa_factors');
    } finally {
      await limited.close();
    }
  });

  it('with [auth.mfa.totp] enroll_enabled = false (the project default) enrolment is refused as GoTrue does', async () => {
    const email = uniqueEmail('mfa-off');
    await adminClient().auth.admin.createUser({ email, password: 'mfa-pass-1', email_confirm: true });
    const c = anonClient();
    await c.auth.signInWithPassword({ email, password: 'mfa-pass-1' });
    const res = await c.auth.mfa.enroll({ factorType: 'totp' });
    expect(res.error?.status).toBe(422);
    expect(res.error?.code).toBe('mfa_totp_enroll_not_enabled');
    expect(res.error?.message).toBe('MFA enroll is disabled for TOTP');
  });

  it('bad factor ids and challenge ids are 4xx in GoTrue\'s words', async () => {
    const { client, aal1Token } = await signedIn();
    const headers = { apikey: stack().anonKey, authorization: `Bearer ${aal1Token}`, 'content-type': 'application/json' };
    const base = `${stack().apiUrl}/auth/v1`;
    const notUuid = await auth.fetch(`${base}/factors/not-a-uuid/challenge`, { method: 'POST', headers, body: '{}' });
    expect(notUuid.status).toBe(404);
    expect(await notUuid.json()).toMatchObject({ error_code: 'validation_failed', msg: 'factor_id must be an UUID' });
    const missing = await auth.fetch(`${base}/factors/${crypto.randomUUID()}/challenge`, { method: 'POST', headers, body: '{}' });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error_code).toBe('mfa_factor_not_found');
    const factor = (await client.auth.mfa.enroll({ factorType: 'totp' })).data!;
    const badChallenge = await auth.fetch(`${base}/factors/${factor.id}/verify`, { method: 'POST', headers, body: JSON.stringify({ challenge_id: 'nope', code: '123456' }) });
    expect(badChallenge.status).toBe(422);
    expect((await badChallenge.json()).error_code).toBe('mfa_factor_not_found');
    const noCode = await auth.fetch(`${base}/factors/${factor.id}/verify`, { method: 'POST', headers, body: JSON.stringify({ challenge_id: crypto.randomUUID() }) });
    expect(noCode.status).toBe(400);
    expect((await noCode.json()).msg).toBe('Code needs to be non-empty');
    const hugeIssuer = await auth.fetch(`${base}/factors`, { method: 'POST', headers, body: JSON.stringify({ factor_type: 'totp', issuer: 'x'.repeat(5000), friendly_name: 'huge' }) });
    expect(hugeIssuer.status).toBe(400);
    expect((await hugeIssuer.json()).error_code).toBe('validation_failed');
    const badType = await auth.fetch(`${base}/factors`, { method: 'POST', headers, body: JSON.stringify({ factor_type: 'sms' }) });
    expect(badType.status).toBe(400);
    expect((await badType.json()).msg).toBe('factor_type needs to be totp, phone, or webauthn');
  });
});
