import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { StackError } from '../errors.js';
import { runScript } from './sql-script.js';

// The Supabase CLI's migration history (pkg/migration/history.go): `supabase migration list`
// and `supabase db push` read and write this same table.
const HISTORY_DDL = [
  'create schema if not exists supabase_migrations',
  'create table if not exists supabase_migrations.schema_migrations (version text not null primary key)',
  'alter table supabase_migrations.schema_migrations add column if not exists statements text[]',
  'alter table supabase_migrations.schema_migrations add column if not exists name text',
  'create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null)',
];

const FILE_PATTERN = /^([0-9]+)_(.*)\.sql$/;

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
}

/** The CLI's rule: `<version>_<name>.sql`, version digits only, applied in version order. */
export function listMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => {
      const m = FILE_PATTERN.exec(f);
      if (!m) throw new StackError(`${path.join(dir, f)}: migration files are named <timestamp>_<name>.sql`);
      return { version: m[1], name: m[2], file: path.join(dir, f) };
    })
    .sort((a, b) => (a.version.length - b.version.length) || a.version.localeCompare(b.version));
}

export async function ensureHistory(client: pg.ClientBase): Promise<void> {
  for (const ddl of HISTORY_DDL) await client.query(ddl);
}

export async function appliedVersions(client: pg.ClientBase): Promise<Set<string>> {
  await ensureHistory(client);
  const { rows } = await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
  return new Set(rows.map((r) => r.version));
}

export interface MigrateResult {
  applied: MigrationFile[];
}

/**
 * Applies pending migrations in order, each in its own transaction with its history row, so a
 * failing one leaves nothing of itself while the earlier ones stay applied.
 */
export async function migrate(client: pg.ClientBase, dir: string, displayRoot = process.cwd()): Promise<MigrateResult> {
  const files = listMigrations(dir);
  const done = await appliedVersions(client);
  const applied: MigrationFile[] = [];
  for (const migration of files) {
    if (done.has(migration.version)) continue;
    const sql = readFileSync(migration.file, 'utf8');
    await client.query('begin');
    try {
      const statements = await runScript(client, path.relative(displayRoot, migration.file), sql);
      await client.query(
        'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
        [migration.version, migration.name, statements.map((s) => s.text)],
      );
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw err;
    }
    applied.push(migration);
  }
  return { applied };
}

/** Runs seed files not yet recorded in the CLI's seed_files table, each in its own transaction. */
export async function seedFiles(client: pg.ClientBase, files: string[], rootDir: string): Promise<string[]> {
  await ensureHistory(client);
  const ran: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const sql = readFileSync(file, 'utf8');
    const rel = path.relative(rootDir, file);
    const hash = createHash('sha256').update(sql).digest('hex');
    const { rowCount } = await client.query('select 1 from supabase_migrations.seed_files where path = $1', [rel]);
    if (rowCount) continue;
    await client.query('begin');
    try {
      await runScript(client, rel, sql);
      await client.query('insert into supabase_migrations.seed_files (path, hash) values ($1, $2)', [rel, hash]);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw err;
    }
    ran.push(rel);
  }
  return ran;
}
