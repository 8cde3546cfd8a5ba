import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../stack/config/load.js';
import { bootstrapDatabase } from '../../stack/db/bootstrap.js';
import { listMigrations, migrate } from '../../stack/db/migrations.js';
import { scratchDatabase, stack } from '../support/env.js';
import { supabaseCli } from '../support/supabase-cli.js';

// The real Supabase CLI must see our local database as it sees a Supabase project's.

const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

async function scratch() {
  const db = await scratchDatabase('cli');
  drops.push(db.drop);
  return db;
}

async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

interface Lint {
  name: string;
  level: 'ERROR' | 'WARN' | 'INFO';
  detail: string;
}

interface ListOutput {
  migrations: Array<{ local: string; remote: string }>;
}

/** What the app's schema consists of, in a stable order, to compare two databases. */
const FINGERPRINT = `
  select json_build_object(
    'columns', (select json_agg(c order by c) from (select table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(column_default, '') as c
                from information_schema.columns where table_schema = 'public') s),
    'policies', (select json_agg(p order by p) from (select schemaname || '.' || tablename || ':' || policyname || ':' || cmd || ':' || coalesce(qual, '') || ':' || coalesce(with_check, '') as p from pg_policies) s),
    'functions', (select json_agg(f order by f) from (select p.oid::regprocedure::text as f from pg_proc p where p.pronamespace = 'public'::regnamespace) s),
    'triggers', (select json_agg(t order by t) from (select tgrelid::regclass::text || ':' || tgname as t from pg_trigger where not tgisinternal) s),
    'indexes', (select json_agg(i order by i) from (select indexdef as i from pg_indexes where schemaname in ('public', 'storage')) s),
    'publication', (select json_agg(t order by t) from (select schemaname || '.' || tablename as t from pg_publication_tables where pubname = 'supabase_realtime') s),
    'rls', (select json_agg(r order by r) from (select relname || ':' || relrowsecurity as r from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r') s)
  ) as fingerprint`;

describe('the Supabase CLI against the local database', () => {
  it('`supabase migration list --db-url` shows every migration of the project as applied', async () => {
    const { dbUrl } = stack();
    const run = await supabaseCli(['migration', 'list', '--db-url', dbUrl, '--output-format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const listed = JSON.parse(run.stdout) as ListOutput;
    const local = listMigrations(path.join(PROJECT_ROOT, 'supabase', 'migrations')).map((m) => m.version);
    expect(listed.migrations.map((m) => m.local)).toEqual(local);
    expect(listed.migrations.every((m) => m.remote === m.local)).toBe(true);
  });

  it('agrees with our runner on a project of its own: listed as applied, and `db push` finds nothing to do', async () => {
    const db = await scratch();
    const project = mkdtempSync(path.join(os.tmpdir(), 'agora-cli-proj-'));
    mkdirSync(path.join(project, 'supabase', 'migrations'), { recursive: true });
    cpSync(path.join(PROJECT_ROOT, 'supabase', 'config.toml'), path.join(project, 'supabase', 'config.toml'));
    writeFileSync(path.join(project, 'supabase', 'migrations', '20240101000000_authors.sql'), 'create table public.authors (id int primary key);\n');
    writeFileSync(path.join(project, 'supabase', 'migrations', '20240102000000_books.sql'),
      "create table public.books (id int primary key, author int references public.authors);\ncomment on table public.books is 'it''s; fine';\n");
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await migrate(client, path.join(project, 'supabase', 'migrations'));
    await client.end();

    const list = await supabaseCli(['migration', 'list', '--db-url', db.url, '--output-format', 'json'], project);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as ListOutput).migrations).toEqual([
      expect.objectContaining({ local: '20240101000000', remote: '20240101000000' }),
      expect.objectContaining({ local: '20240102000000', remote: '20240102000000' }),
    ]);
    const push = await supabaseCli(['db', 'push', '--db-url', db.url, '--yes'], project);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout + push.stderr).toMatch(/up to date/i);
  });

  it('`supabase db reset --db-url` rebuilds the same database the stack built', async () => {
    const db = await scratch();
    const config = loadConfig({ dbPort: stack().dbPort });
    await bootstrapDatabase(config, { database: db.name, seed: false });
    const [before] = await query<{ fingerprint: unknown }>(db.url, FINGERPRINT);

    const reset = await supabaseCli(['db', 'reset', '--db-url', db.url, '--yes', '--no-seed']);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const [after] = await query<{ fingerprint: unknown }>(db.url, FINGERPRINT);
    expect(after.fingerprint).toEqual(before.fingerprint);
  });

  it('`supabase db advisors --db-url` finds no error and no warning in the app\'s schema', async () => {
    // A scratch database with exactly what `npm start` builds: platform, migrations (no test helpers).
    const db = await scratch();
    await bootstrapDatabase(loadConfig({ dbPort: stack().dbPort }), { database: db.name, seed: false });
    const run = await supabaseCli(['db', 'advisors', '--db-url', db.url, '--output-format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const parsed = run.stdout.trim() ? (JSON.parse(run.stdout) as { results?: Lint[] } | Lint[]) : [];
    const lints = Array.isArray(parsed) ? parsed : (parsed.results ?? []);
    const serious = lints.filter((l) => l.level === 'ERROR' || l.level === 'WARN').map((l) => `${l.level} ${l.name}: ${l.detail}`);
    expect(serious).toEqual([]);
  });
});
