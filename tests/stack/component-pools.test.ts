import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { adminDb, jwt, loadFixture, rest } from '../rest/support.js';

// Each component has its own connections: REST's pool full of slow queries holds up neither
// storage nor auth. Asserted by order, not by time: the other components answer while every
// slow REST call is still running (they sleep 6 s as authenticated, whose statement_timeout is
// 8 s, to leave a loaded machine room; bench:hostile measures the 2.5 s anon case).

const db = adminDb();
const SLOW_CALLS = 16;

beforeAll(async () => {
  await loadFixture();
  await db().query(`
    create or replace function rest_test.sleep_seconds(seconds double precision) returns text language sql volatile
      as $$ select pg_sleep(seconds)::text $$;
    grant execute on function rest_test.sleep_seconds(double precision) to anon, authenticated;
  `);
  await db().query("notify pgrst, 'reload schema'");
  for (let i = 0; i < 100 && (await rest('/rpc/sleep_seconds', { method: 'POST', body: '{"seconds":0}' })).status === 404; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

describe('a pool per component', () => {
  it('while 16 calls sleep in REST, auth settings, a storage bucket list and a password sign-in answer before any of them ends', async () => {
    const { apiUrl, anonKey, serviceRoleKey } = stack();
    const email = `pools-${randomUUID().slice(0, 8)}@stack.test`;
    const signUp = await fetch(`${apiUrl}/auth/v1/signup`, {
      method: 'POST', headers: { apikey: anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'pools-password-1' }),
    });
    expect(signUp.status).toBe(200);

    let firstSlowDone = Infinity;
    const token = await jwt({ role: 'authenticated', sub: randomUUID() });
    const slow = Array.from({ length: SLOW_CALLS }, () =>
      rest('/rpc/sleep_seconds', { method: 'POST', body: JSON.stringify({ seconds: 6 }), headers: { Authorization: `Bearer ${token}` } }).then((r) => {
        firstSlowDone = Math.min(firstSlowDone, performance.now());
        return r.status;
      }));
    // let the slow calls take every REST connection first
    await new Promise((r) => setTimeout(r, 300));
    const marks: Record<string, number> = { start: performance.now() };
    const settings = await fetch(`${apiUrl}/auth/v1/settings`, { headers: { apikey: anonKey } });
    marks.settings = performance.now();
    const buckets = await fetch(`${apiUrl}/storage/v1/bucket`, { headers: { apikey: serviceRoleKey, authorization: `Bearer ${serviceRoleKey}` } });
    marks.buckets = performance.now();
    const signIn = await fetch(`${apiUrl}/auth/v1/token?grant_type=password`, {
      method: 'POST', headers: { apikey: anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'pools-password-1' }),
    });
    const othersDone = performance.now();
    marks.signIn = othersDone;
    expect(settings.status).toBe(200);
    expect(buckets.status).toBe(200);
    expect(Array.isArray(await buckets.json())).toBe(true);
    expect(signIn.status).toBe(200);
    expect((await signIn.json()).access_token).toEqual(expect.any(String));
    expect(othersDone, JSON.stringify({ ...marks, firstSlowDone })).toBeLessThan(firstSlowDone);
    expect(await Promise.all(slow)).toEqual(Array(SLOW_CALLS).fill(200));
  }, 60_000);
});
