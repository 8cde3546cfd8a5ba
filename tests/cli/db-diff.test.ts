import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../stack/config/load.js';
import { bootstrapDatabase } from '../../stack/db/bootstrap.js';
import { diffDatabases } from '../../stack/db/diff.js';
import { scratchDatabase, stack } from '../support/env.js';
import { supabaseCli } from '../support/supabase-cli.js';

// `npm run db:diff` and `npm run migration:new` on throwaway project folders (never the repo's
// own supabase/migrations), against scratch databases in the test stack's cluster.

const DIFF_TIMEOUT = 300_000;
const drops: Array<() => Promise<void>> = [];
const projects: string[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

async function scratch(prefix: string) {
  const db = await scratchDatabase(prefix);
  drops.push(db.drop);
  return db;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run <script> -- <args>` as a person would, in the project folder `workdir`. */
function npmScript(script: 'db-diff' | 'migration-new', args: string[], workdir: string): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'stack', 'cli', `${script}.ts`), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AGORA_WORKDIR: workdir, AGORA_DB_PORT: String(stack().dbPort), AGORA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** A project folder with the repo's config.toml and the given migrations folder contents. */
function project(migrations: Record<string, string> | 'copy'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-diff-proj-'));
  projects.push(dir);
  mkdirSync(path.join(dir, 'supabase', 'migrations'), { recursive: true });
  cpSync(path.join(PROJECT_ROOT, 'supabase', 'config.toml'), path.join(dir, 'supabase', 'config.toml'));
  if (migrations === 'copy') {
    cpSync(path.join(PROJECT_ROOT, 'supabase', 'migrations'), path.join(dir, 'supabase', 'migrations'), { recursive: true });
  } else {
    for (const [name, sql] of Object.entries(migrations)) writeFileSync(path.join(dir, 'supabase', 'migrations', name), sql);
  }
  return dir;
}

function migrationsNamed(dir: string, name: string): string[] {
  return readdirSync(path.join(dir, 'supabase', 'migrations')).filter((f) => f.endsWith(`_${name}.sql`));
}

async function exec(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const HAND_CHANGES = `
alter table public.profiles add column pronouns text
  constraint profiles_pronouns_length check (char_length(pronouns) <= 30);
create policy "Users see their own likes first" on public.likes
  for select to authenticated using ((select auth.uid()) = user_id);
create or replace function public.liked_by_me(public.posts)
returns boolean language sql stable set search_path = ''
as $$
  select $1.id is not null and exists (
    select 1 from public.likes l where l.post_id = $1.id and l.user_id = (select auth.uid()));
$$;`;

describe('npm run db:diff', () => {
  it('writes the hand-made changes of a database as a migration that rebuilds it exactly, and the CLI lists it as applied', async () => {
    const dir = project('copy');
    const config = loadConfig({ rootDir: dir, dbPort: stack().dbPort });
    const dev = await scratch('diffdev');
    await bootstrapDatabase(config, { database: dev.name, seed: false });
    await exec(dev.url, HAND_CHANGES);

    const run = await npmScript('db-diff', ['-f', 'hand_changes', '--db-url', dev.url], dir);
    expect(run.code, run.stderr).toBe(0);
    const [file] = migrationsNamed(dir, 'hand_changes');
    expect(file).toMatch(/^\d{14}_hand_changes\.sql$/);
    const sql = readFileSync(path.join(dir, 'supabase', 'migrations', file), 'utf8');
    expect(sql).toMatch(/alter table "public"\."profiles" add column "pronouns" text/);
    expect(sql).toMatch(/add constraint "profiles_pronouns_length" CHECK \(\(char_length\(pronouns\) <= 30\)\)/);
    expect(sql).toMatch(/create policy "Users see their own likes first"\s+on "public"\."likes"/);
    expect(sql).toMatch(/FUNCTION public\.liked_by_me\(public\.posts\)[\s\S]*\$1\.id is not null/);
    expect(sql).not.toMatch(/WARNING: data loss/);
    expect(run.stderr).not.toMatch(/lose data/);

    // A database built from all the migrations, the new one included, is the changed one.
    const fresh = await scratch('difffresh');
    await bootstrapDatabase(config, { database: fresh.name, seed: false });
    expect(await diffDatabases(fresh.url, dev.url)).toEqual([]);
    expect(await diffDatabases(dev.url, fresh.url)).toEqual([]);

    // The real CLI rebuilds the dev database from the migrations and sees the new one applied.
    const reset = await supabaseCli(['db', 'reset', '--db-url', dev.url, '--yes', '--no-seed'], dir);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const list = await supabaseCli(['migration', 'list', '--db-url', dev.url, '--output-format', 'json'], dir);
    expect(list.code, list.stderr).toBe(0);
    const version = file.slice(0, 14);
    const listed = (JSON.parse(list.stdout) as { migrations: Array<{ local: string; remote: string }> }).migrations;
    expect(listed).toContainEqual(expect.objectContaining({ local: version, remote: version }));
    expect(await diffDatabases(fresh.url, dev.url)).toEqual([]);
  }, DIFF_TIMEOUT);

  describe('in declarative mode ([db.migrations] schema_paths)', () => {
    const NOTES_MIGRATION = `create table public.notes (
  id bigint generated always as identity primary key,
  author_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  body text not null,
  draft boolean not null default false
);
alter table public.notes enable row level security;
`;
    const NOTES_DECLARED = `create table public.notes (
  id bigint generated always as identity primary key,
  author_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  body text not null,
  draft boolean not null default false,
  title text constraint notes_title_length check (char_length(title) <= 80)
);
alter table public.notes enable row level security;
create policy "Authors read their notes" on public.notes
  for select to authenticated using ((select auth.uid()) = author_id);
revoke delete on table public.notes from anon;
`;
    function declarativeProject(): string {
      const dir = project({ '20240101000000_notes.sql': NOTES_MIGRATION });
      const configFile = path.join(dir, 'supabase', 'config.toml');
      const toml = readFileSync(configFile, 'utf8');
      expect(toml).toMatch(/^schema_paths = \[\]$/m);
      writeFileSync(configFile, toml.replace(/^schema_paths = \[\]$/m, 'schema_paths = ["./schemas/*.sql"]'));
      mkdirSync(path.join(dir, 'supabase', 'schemas'));
      writeFileSync(path.join(dir, 'supabase', 'schemas', 'notes.sql'), NOTES_DECLARED);
      return dir;
    }

    it('turns an edit of a schema file into a migration that applies cleanly, after which nothing is left to diff', async () => {
      const dir = declarativeProject();
      const run = await npmScript('db-diff', ['-f', 'notes_title'], dir);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/supabase\/schemas\/notes\.sql/);
      const [file] = migrationsNamed(dir, 'notes_title');
      const sql = readFileSync(path.join(dir, 'supabase', 'migrations', file), 'utf8');
      expect(sql).toMatch(/add column "title" text/);
      expect(sql).toMatch(/create policy "Authors read their notes"/);
      expect(sql).toMatch(/revoke delete on table "public"\."notes" from "anon"/);

      const db = await scratch('diffdecl');
      const result = await bootstrapDatabase(loadConfig({ rootDir: dir, dbPort: stack().dbPort }), { database: db.name, seed: false });
      expect(result.migrations.map((m) => m.name)).toEqual(['notes', 'notes_title']);
      await exec(db.url, "insert into auth.users (id) values ('00000000-0000-0000-0000-000000000001')");
      await exec(db.url, "insert into public.notes (author_id, body, title) values ('00000000-0000-0000-0000-000000000001', 'b', 't')");
      await expect(exec(db.url, `insert into public.notes (author_id, body, title) values ('00000000-0000-0000-0000-000000000001', 'b', '${'x'.repeat(81)}')`))
        .rejects.toThrow(/notes_title_length/);

      const again = await npmScript('db-diff', [], dir);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(/No schema changes found/);
    }, DIFF_TIMEOUT);

    it('flags statements that lose data, in its output and with a comment in the migration', async () => {
      const dir = declarativeProject();
      // The declared table loses `draft`, and `body` narrows from text to varchar(20).
      writeFileSync(path.join(dir, 'supabase', 'schemas', 'notes.sql'), NOTES_DECLARED
        .replace('  draft boolean not null default false,\n', '')
        .replace('body text not null', 'body varchar(20) not null'));
      const run = await npmScript('db-diff', ['-f', 'drop_draft'], dir);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/WARNING: 2 statement\(s\) lose data/);
      expect(run.stderr).toMatch(/drop column "draft".*drops a column and its values/);
      expect(run.stderr).toMatch(/"body" set data type character varying\(20\).*changes a column type/);
      const [file] = migrationsNamed(dir, 'drop_draft');
      const sql = readFileSync(path.join(dir, 'supabase', 'migrations', file), 'utf8');
      expect(sql).toMatch(/-- WARNING: data loss: drops a column and its values\. Check before applying\.\nalter table "public"\."notes" drop column "draft";/);
      expect(sql).toMatch(/-- WARNING: data loss: changes a column type[^\n]*\nalter table "public"\."notes" alter column "body" set data type/);
    }, DIFF_TIMEOUT);

    it('refuses a schema_paths pattern that matches no file, and a --db-url that is not on this machine', async () => {
      const dir = declarativeProject();
      const configFile = path.join(dir, 'supabase', 'config.toml');
      writeFileSync(configFile, readFileSync(configFile, 'utf8').replace(/^schema_paths = .*$/m, 'schema_paths = ["./schemas/*.sql", "./missing/*.sql"]'));
      const run = await npmScript('db-diff', [], dir);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stderr).toMatch(/no files matched \[db\.migrations\] schema_paths pattern: supabase\/missing\/\*\.sql/);

      const remote = await npmScript('db-diff', ['--db-url', 'postgresql://postgres:postgres@db.example.com:5432/postgres'], project({}));
      expect(remote.code).toBe(1);
      expect(remote.stderr).toMatch(/--db-url must be a local database/);
    }, DIFF_TIMEOUT);
  });
});

describe('npm run migration:new', () => {
  it('writes an empty <timestamp>_<name>.sql into supabase/migrations', async () => {
    const dir = project({});
    const before = Date.now();
    const run = await npmScript('migration-new', ['x'], dir);
    expect(run.code, run.stderr).toBe(0);
    const files = readdirSync(path.join(dir, 'supabase', 'migrations'));
    expect(files).toHaveLength(1);
    const [, stamp] = /^(\d{14})_x\.sql$/.exec(files[0]) ?? [];
    expect(stamp).toBeDefined();
    const written = Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(8, 10), +stamp.slice(10, 12), +stamp.slice(12, 14));
    expect(written).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(written).toBeLessThanOrEqual(Date.now());
    expect(readFileSync(path.join(dir, 'supabase', 'migrations', files[0]), 'utf8')).toBe('');
    expect(run.stdout).toMatch(new RegExp(`Created new migration at .*${files[0]}`));
  });

  it('refuses a name that is a path, and writes nothing', async () => {
    const dir = project({});
    for (const name of ['../escape', 'a/b', '.hidden', '']) {
      const run = await npmScript('migration-new', [name], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/invalid migration name/);
    }
    expect(readdirSync(path.join(dir, 'supabase', 'migrations'))).toEqual([]);
    expect(existsSync(path.join(dir, 'escape.sql'))).toBe(false);
  });
});
