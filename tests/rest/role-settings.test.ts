import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminDb, jwt, loadFixture, rest } from './support.js';

// The role a request switches to brings its own settings (pg_db_role_setting), applied in the
// request's transaction as PostgREST applies them: anon runs under Supabase's 3 s
// statement_timeout, authenticated under 8 s, not under the login role's.

const db = adminDb();
const ROLE = 'agora_test_role_settings';

beforeAll(async () => {
  await loadFixture();
  await db().query(`
    create or replace function rest_test.role_statement_timeout() returns text language sql stable
      as $$ select current_setting('statement_timeout') $$;
    create or replace function rest_test.sleep_seconds(seconds double precision) returns text language sql volatile
      as $$ select pg_sleep(seconds)::text $$;
    grant execute on function rest_test.role_statement_timeout(), rest_test.sleep_seconds(double precision) to anon, authenticated;
    do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${ROLE}') then create role ${ROLE} nologin; end if;
    end $$;
    grant ${ROLE} to authenticator;
    grant usage on schema rest_test to ${ROLE};
    grant execute on function rest_test.role_statement_timeout() to ${ROLE};
    alter role ${ROLE} set statement_timeout = '1234ms';
  `);
  await db().query("notify pgrst, 'reload schema'");
  // wait until the functions are served
  for (let i = 0; i < 100 && (await rest('/rpc/role_statement_timeout', { method: 'POST', body: '{}' })).status === 404; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

const authenticated = () => jwt({ role: 'authenticated', sub: randomUUID() });

async function timeoutAs(token?: string, pipelined = true): Promise<unknown> {
  // Prefer: tx=rollback takes the explicit-transaction path instead of the one-round-trip pipeline
  const res = await rest('/rpc/role_statement_timeout', {
    method: 'POST', body: '{}',
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(pipelined ? {} : { Prefer: 'tx=rollback' }) },
  });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

describe('role settings in the request transaction', () => {
  it('anon runs under its own 3 s statement_timeout and authenticated under 8 s, on both request paths', async () => {
    for (const pipelined of [true, false]) {
      expect(await timeoutAs(undefined, pipelined)).toBe('3s');
      expect(await timeoutAs(await authenticated(), pipelined)).toBe('8s');
    }
  });

  it('an anon call sleeping 6 s is cancelled with 57014', async () => {
    const res = await rest('/rpc/sleep_seconds', { method: 'POST', body: JSON.stringify({ seconds: 6 }) });
    expect(res.json?.code, res.text).toBe('57014');
  }, 30_000);

  it('an authenticated call sleeping 6 s completes; sleeping 10 s is cancelled with 57014', async () => {
    const token = await authenticated();
    const ok = await rest('/rpc/sleep_seconds', { method: 'POST', body: JSON.stringify({ seconds: 6 }), headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status, ok.text).toBe(200);
    const cancelled = await rest('/rpc/sleep_seconds', { method: 'POST', body: JSON.stringify({ seconds: 10 }), headers: { Authorization: `Bearer ${token}` } });
    expect(cancelled.json?.code, cancelled.text).toBe('57014');
  }, 40_000);

  it('a role\'s changed setting applies once the schema cache reloads', async () => {
    const token = await jwt({ role: ROLE });
    expect(await timeoutAs(token)).toBe('1234ms');
    await db().query(`alter role ${ROLE} set statement_timeout = '2345ms'`);
    await db().query("notify pgrst, 'reload schema'");
    let seen: unknown;
    for (let i = 0; i < 100 && (seen = await timeoutAs(token)) !== '2345ms'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen).toBe('2345ms');
    await db().query(`alter role ${ROLE} set statement_timeout = '1234ms'`);
    await db().query("notify pgrst, 'reload schema'");
  });
});
