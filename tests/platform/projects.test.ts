// Small Supabase projects of the CLI's layout (tests/projects/) served with `npm start` on a fresh
// data dir: each reproduces a pattern that works on Supabase and must work the same here.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/config/load.js';
import { runCli, spawnCli, waitForOutput } from '../support/cli.js';
import { runPgtapDir } from '../support/pgtap-run.js';

const projects = path.join(PROJECT_ROOT, 'tests', 'projects');
const dataDirs: string[] = [];
afterAll(() => {
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

async function projectEnv(name: string): Promise<Record<string, string>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `agora-project-${name}-`));
  chmodSync(dataDir, 0o755); // Postgres may run as another user and must reach it
  dataDirs.push(dataDir);
  return {
    AGORA_WORKDIR: path.join(projects, name),
    AGORA_DATA_DIR: dataDir,
    AGORA_API_PORT: String(await getPort()),
    AGORA_DB_PORT: String(await getPort()),
    AGORA_INBOX_PORT: String(await getPort()),
    AGORA_SMTP_PORT: String(await getPort()),
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('a SaaS-starter-shaped project (tests/projects/starter) in one `npm start`', () => {
  let env: Record<string, string>;
  let child: ReturnType<typeof spawnCli>;
  let dbUrl: string;
  let api: string;
  let anonKey: string;

  beforeAll(async () => {
    env = await projectEnv('starter');
    child = spawnCli('start', env);
    await waitForOutput(child, /service_role key: /, 120_000);
    dbUrl = `postgresql://postgres:postgres@127.0.0.1:${env.AGORA_DB_PORT}/postgres`;
    api = `http://127.0.0.1:${env.AGORA_API_PORT}`;
    anonKey = /anon key: (\S+)/.exec(child.output.stdout)![1];
  }, 180_000);

  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('applies a first migration that calls gen_random_bytes() and uuid_generate_v4() unqualified, then the seed', async () => {
    expect(child.output.stdout).toContain('Applied migrations: 20240101000000_init, 20240102000000_lock_down_functions');
    expect(child.output.stdout).toContain('Seeded: supabase/seed.sql');
    expect(child.output.stdout).toContain('Functions: hello, private-note');
    const rows = await query<{ n: number }>(dbUrl, 'select count(*)::int as n from public.api_keys');
    expect(rows[0].n).toBe(2);
  });

  it('prints no "not supported" line for a config.toml of defaults', () => {
    expect(child.output.stdout).not.toContain('Not supported locally');
  });

  it('connects postgres as a non-superuser; pgTAP, created by postgres, belongs to supabase_admin', async () => {
    const [role] = await query<{ rolsuper: boolean }>(dbUrl, "select rolsuper from pg_roles where rolname = 'postgres'");
    expect(role.rolsuper).toBe(false);
    const [ext] = await query<{ owner: string }>(dbUrl,
      "select distinct pg_get_userbyid(p.proowner) as owner from pg_proc p join pg_depend d on d.objid = p.oid and d.deptype = 'e' join pg_extension e on e.oid = d.refobjid where e.extname = 'pgtap'");
    expect(ext.owner).toBe('supabase_admin');
  });

  it('passes its own pgTAP suite run as postgres, after revoking execute on functions from public by default', async () => {
    const results = await runPgtapDir(dbUrl, path.join(projects, 'starter', 'supabase', 'tests'), () => undefined);
    expect(results.map((r) => r.failures)).toEqual([[]]);
    expect(results.map((r) => [r.ok, r.passed])).toEqual([[true, 6]]);
  });

  it('serves supabase/functions/<name>/index.ts with no config entry: Deno.serve, an npm: import, _shared code and supabase/functions/.env', async () => {
    const call = (body: unknown, auth = true) => fetch(`${api}/functions/v1/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${anonKey}` } : {}) },
      body: JSON.stringify(body),
    });
    const res = await call({ name: 'Ada' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'hello from supabase/functions/.env, Ada' });
    expect((await call({})).status).toBe(400);
    expect((await call({ name: 'Ada' }, false)).status).toBe(401);
  }, 180_000);

  it('honours [functions.<name>] verify_jwt = false, and serves no function for _shared', async () => {
    const open = await fetch(`${api}/functions/v1/private-note`);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ note: 'served without a JWT (verify_jwt = false)' });
    const shared = await fetch(`${api}/functions/v1/_shared`, { headers: { authorization: `Bearer ${anonKey}` } });
    expect(shared.status).toBe(404);
  }, 120_000);

  it('`npm run db:reset` rebuilds it the same way: migrations in a postgres session, seed, suite passing', async () => {
    const reset = await runCli('db-reset', env);
    expect(reset.stderr).toBe('');
    expect(reset.stdout).toContain('Database reset: 2 migrations applied, seeded from supabase/seed.sql.');
    const results = await runPgtapDir(dbUrl, path.join(projects, 'starter', 'supabase', 'tests'), () => undefined);
    expect(results.map((r) => [r.ok, r.passed])).toEqual([[true, 6]]);
  }, 120_000);
});

describe('a project whose migration needs a superuser (tests/projects/superuser-migration)', () => {
  it('fails to start with Postgres\'s own permission error naming the migration, as `supabase db push` fails', async () => {
    const run = await runCli('start', await projectEnv('superuser-migration'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/supabase\/migrations\/20240102000000_needs_superuser\.sql:2: permission denied for language c \(SQLSTATE 42501\)/);
  }, 120_000);
});
