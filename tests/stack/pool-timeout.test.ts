import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log } from '../../stack/log.js';
import { startStack, type RunningStack } from '../../stack/stack.js';

// A stack of its own with one REST connection and a short acquisition timeout: a request that
// finds the pool busy past the timeout gets PostgREST's 504 PGRST003, and storage (its own pool)
// still answers meanwhile.

let running: RunningStack;
let dataDir: string;
const ENV = { AGORA_POOL_REST: '1', AGORA_POOL_ACQUIRE_TIMEOUT_MS: '500' };

beforeAll(async () => {
  if (!process.env.AGORA_LOG_LEVEL) log.level = 'error';
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-pool-'));
  chmodSync(dataDir, 0o755);
  const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, ENV);
  try {
    running = await startStack({ dataDir, apiPort: await getPort(), dbPort: await getPort(), inboxPort: await getPort(), smtpPort: await getPort(), seed: false });
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
  const admin = new pg.Client({ connectionString: running.urls.db });
  await admin.connect();
  await admin.query(`create or replace function public.pool_test_sleep(seconds double precision) returns void language sql as $$ select pg_sleep(seconds) $$;
                     grant execute on function public.pool_test_sleep(double precision) to anon`);
  await admin.query("notify pgrst, 'reload schema'");
  await admin.end();
}, 120_000);

afterAll(async () => {
  await running?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('pool acquisition timeout', () => {
  it('a REST request that waits past the timeout for a connection gets 504 PGRST003; storage answers meanwhile', async () => {
    const { api } = running.urls;
    const anon = { apikey: running.config.anonKey, 'content-type': 'application/json' };
    // wait for the function to be served
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${api}/rest/v1/rpc/pool_test_sleep`, { method: 'POST', headers: anon, body: '{"seconds":0}' });
      await r.arrayBuffer();
      if (r.status !== 404) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const slow = fetch(`${api}/rest/v1/rpc/pool_test_sleep`, { method: 'POST', headers: anon, body: '{"seconds":2}' });
    await new Promise((r) => setTimeout(r, 200));
    const waiting = await fetch(`${api}/rest/v1/profiles?select=id`, { headers: anon });
    expect(waiting.status).toBe(504);
    expect(await waiting.json()).toMatchObject({ code: 'PGRST003', message: 'Timed out acquiring connection from connection pool.' });
    const service = running.config.serviceRoleKey;
    const buckets = await fetch(`${api}/storage/v1/bucket`, { headers: { apikey: service, authorization: `Bearer ${service}` } });
    expect(buckets.status).toBe(200);
    expect((await slow).status).toBe(204);
  }, 60_000);
});
