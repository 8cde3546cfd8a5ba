import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/config/load.js';
import { runCli, spawnCli, waitForOutput } from '../support/cli.js';

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

async function freshEnv(): Promise<Record<string, string>> {
  return {
    AGORA_DATA_DIR: tempDir('agora-start-'),
    AGORA_API_PORT: String(await getPort()),
    AGORA_DB_PORT: String(await getPort()),
    AGORA_INBOX_PORT: String(await getPort()),
  };
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function oneErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  return lines[0];
}

describe('npm start', () => {
  it('starts on an empty data dir, serves /health, prints the status block, and stops cleanly on SIGTERM', async () => {
    const env = await freshEnv();
    const child = spawnCli('start', env);
    await waitForOutput(child, /Secret key: sb_secret_\S+\n/);
    expect(child.output.stdout).toMatch(/API URL: http:\/\/127\.0\.0\.1:\d+/);
    expect(child.output.stdout).toContain(`DB URL: postgresql://postgres:postgres@127.0.0.1:${env.AGORA_DB_PORT}/postgres`);
    expect(child.output.stdout).toMatch(/JWT secret: super-secret-jwt-token-with-at-least-32-characters-long/);
    expect(child.output.stdout).toMatch(/Inbox URL: /);
    // the new API keys, as `supabase start` shows them (the CLI's fixed local keys)
    expect(child.output.stdout).toContain('Publishable key: sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH');
    expect(child.output.stdout).toContain('Secret key: sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz');

    const res = await fetch(`http://127.0.0.1:${env.AGORA_API_PORT}/health`);
    expect(res.status).toBe(200);
    expect((await res.json()).components.postgres.status).toBe('up');

    const db = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${env.AGORA_DB_PORT}/postgres` });
    await db.connect();
    expect((await db.query('show wal_level')).rows[0].wal_level).toBe('logical');
    await db.query('create table public.kept_across_restarts (id int)');
    await db.end();

    const status = await runCli('status', env);
    expect(status.code).toBe(0);
    const vars = Object.fromEntries(status.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(['API_URL', 'DB_URL', 'ANON_KEY', 'SERVICE_ROLE_KEY', 'JWT_SECRET', 'INBOX_URL', 'PUBLISHABLE_KEY', 'SECRET_KEY']));
    expect(vars.API_URL).toBe(`http://127.0.0.1:${env.AGORA_API_PORT}`);

    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await portIsFree(Number(env.AGORA_DB_PORT))).toBe(true);
    expect(existsSync(path.join(env.AGORA_DATA_DIR, 'postgres', 'postmaster.pid'))).toBe(false);

    // A second start keeps the data.
    const again = spawnCli('start', env);
    await waitForOutput(again, /service_role key: /);
    expect(again.output.stdout).not.toContain('new database');
    const db2 = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${env.AGORA_DB_PORT}/postgres` });
    await db2.connect();
    expect((await db2.query("select to_regclass('public.kept_across_restarts') is not null as kept")).rows[0].kept).toBe(true);
    await db2.end();
    // db:reset rebuilds the database under the running stack, which keeps serving.
    const reset = await runCli('db-reset', env);
    expect(reset.code, reset.stderr).toBe(0);
    const db3 = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${env.AGORA_DB_PORT}/postgres` });
    await db3.connect();
    expect((await db3.query("select to_regclass('public.kept_across_restarts') is null as gone")).rows[0].gone).toBe(true);
    expect((await db3.query("select count(*)::int as n from pg_roles where rolname = 'authenticator'")).rows[0].n).toBe(1);
    await db3.end();
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${env.AGORA_API_PORT}/health`)).status, { timeout: 10_000 }).toBe(200);

    const exited2 = new Promise((r) => again.on('exit', r));
    again.kill('SIGINT');
    expect(await exited2).toBe(0);

    const stopped = await runCli('status', env);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/not running/);
  });

  it('stops what it had started when SIGTERM arrives during the start', async () => {
    const env = await freshEnv();
    const child = spawnCli('start', env);
    // Wait until Postgres listens: the start is then under way (platform SQL, migrations, seed).
    await expect.poll(async () => !(await portIsFree(Number(env.AGORA_DB_PORT))), { timeout: 30_000, interval: 20 }).toBe(true);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    const code = await exited;
    if (code === 0) {
      // The start won the race and the running stack stopped on the signal: also clean.
      expect(child.output.stdout).toContain('Stopped.');
    } else {
      expect(child.output.stderr).toMatch(/start interrupted/);
    }
    expect(await portIsFree(Number(env.AGORA_DB_PORT))).toBe(true);
    expect(existsSync(path.join(env.AGORA_DATA_DIR, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('refuses a port already in use with one clear line, and creates nothing', async () => {
    const env = await freshEnv();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(Number(env.AGORA_API_PORT), '127.0.0.1', () => r()));
    try {
      const run = await runCli('start', env);
      expect(run.code).toBe(1);
      expect(oneErrorLine(run.stderr)).toContain(`port ${env.AGORA_API_PORT} (API gateway) is already in use`);
      expect(readdirSync(env.AGORA_DATA_DIR)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('refuses a data dir made by another Postgres version', async () => {
    const env = await freshEnv();
    mkdirSync(path.join(env.AGORA_DATA_DIR, 'postgres'));
    writeFileSync(path.join(env.AGORA_DATA_DIR, 'postgres', 'PG_VERSION'), '15\n');
    const run = await runCli('start', env);
    expect(run.code).toBe(1);
    expect(oneErrorLine(run.stderr)).toMatch(/holds a Postgres 15 cluster, but this stack runs Postgres 17/);
  });

  it('stops at a broken migration with its file and line, and leaves no Postgres running', async () => {
    const env = await freshEnv();
    const project = tempDir('agora-proj-');
    mkdirSync(path.join(project, 'supabase', 'migrations'), { recursive: true });
    cpSync(path.join(PROJECT_ROOT, 'supabase', 'config.toml'), path.join(project, 'supabase', 'config.toml'));
    writeFileSync(path.join(project, 'supabase', 'migrations', '20240101000000_good.sql'), 'create table public.good (id int);\n');
    writeFileSync(path.join(project, 'supabase', 'migrations', '20240102000000_bad.sql'), 'create table public.half (id int);\nselect no_such_function();\n');
    const run = await runCli('start', { ...env, AGORA_WORKDIR: project });
    expect(run.code).toBe(1);
    expect(oneErrorLine(run.stderr)).toMatch(/supabase\/migrations\/20240102000000_bad\.sql:2: function no_such_function\(\) does not exist/);
    expect(await portIsFree(Number(env.AGORA_DB_PORT))).toBe(true);
  });
});
