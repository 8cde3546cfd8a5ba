import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';

// A request's id reaches Postgres, so a slow query can be traced back to the request it served.
const FN = `request_id_probe_${process.pid}`;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: stack().dbUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`create function public.${FN}() returns json language sql stable as $$
    select json_build_object('id', current_setting('request.id', true), 'app', current_setting('application_name')) $$;
    notify pgrst, 'reload schema';`);
});

afterAll(async () => {
  await admin(`drop function if exists public.${FN}(); notify pgrst, 'reload schema';`);
});

describe('the request id in Postgres', () => {
  it('is set for the transaction of a /rest/v1 request, as request.id and in application_name', async () => {
    const { apiUrl, anonKey } = stack();
    await expect
      .poll(async () => (await fetch(`${apiUrl}/rest/v1/rpc/${FN}`, { headers: { apikey: anonKey } })).status, { timeout: 10_000 })
      .toBe(200);
    const res = await fetch(`${apiUrl}/rest/v1/rpc/${FN}`, { headers: { apikey: anonKey, 'x-request-id': 'trace-me-42' } });
    expect(res.headers.get('x-request-id')).toBe('trace-me-42');
    expect(await res.json()).toEqual({ id: 'trace-me-42', app: 'agora trace-me-42' });
  });
});
