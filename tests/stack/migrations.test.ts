import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../stack/db/migrations.js';
import { splitStatements } from '../../stack/db/sql-script.js';
import { scratchDatabase } from '../support/env.js';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-mig-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

async function connect() {
  const db = await scratchDatabase('mig');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanups.push(async () => {
    await client.end();
    await db.drop();
  });
  return client;
}

describe('the migration runner', () => {
  it('applies migrations in version order and records them as the Supabase CLI does', async () => {
    const client = await connect();
    const dir = migrationsDir({
      '20240102000000_posts.sql': 'create table posts (id int primary key, author int references authors);',
      '20240101000000_authors.sql': '-- authors first\ncreate table authors (id int primary key);\n',
    });
    const { applied } = await migrate(client, dir);
    expect(applied.map((m) => m.version)).toEqual(['20240101000000', '20240102000000']);
    const { rows } = await client.query('select version, name, statements from supabase_migrations.schema_migrations order by version');
    expect(rows).toEqual([
      { version: '20240101000000', name: 'authors', statements: ['-- authors first\ncreate table authors (id int primary key)'] },
      { version: '20240102000000', name: 'posts', statements: ['create table posts (id int primary key, author int references authors)'] },
    ]);
    expect((await migrate(client, dir)).applied).toEqual([]);
  });

  it('stops at a broken migration with its file, line and Postgres\'s message, applying nothing of it', async () => {
    const client = await connect();
    const dir = migrationsDir({
      '20240101000000_ok.sql': 'create table kept (id int);',
      '20240102000000_broken.sql': 'create table half_done (id int);\n\n-- the typo below is on line 4\nalter table no_such_table add column x int;\n',
      '20240103000000_later.sql': 'create table later (id int);',
    });
    await expect(migrate(client, dir, dir)).rejects.toThrow(
      '20240102000000_broken.sql:4: relation "no_such_table" does not exist (SQLSTATE 42P01)',
    );
    const tables = await client.query("select array_agg(tablename::text order by tablename) as t from pg_tables where schemaname = 'public'");
    expect(tables.rows[0].t).toEqual(['kept']);
    const versions = await client.query('select array_agg(version) as v from supabase_migrations.schema_migrations');
    expect(versions.rows[0].v).toEqual(['20240101000000']);
  });

  it('points at the line of a syntax error inside a multi-line statement', async () => {
    const client = await connect();
    const dir = migrationsDir({ '20240101000000_syntax.sql': 'create table a (id int);\ncreate table b (\n  id int,\n  name text nto null\n);\n' });
    await expect(migrate(client, dir, dir)).rejects.toThrow(/20240101000000_syntax\.sql:4: syntax error at or near "nto"/);
  });

  it('refuses a file that is not named <timestamp>_<name>.sql', () => {
    const dir = migrationsDir({ 'add_posts.sql': 'select 1;' });
    expect(() => listMigrations(dir)).toThrow(/named <timestamp>_<name>\.sql/);
  });

  it('splits statements around dollar quotes, strings and comments', () => {
    const statements = splitStatements(
      "create function f() returns int language plpgsql as $$ begin return 1; end $$;\n/* ; */ select ';';\n-- only a comment;\n",
    );
    expect(statements.map((s) => s.line)).toEqual([1, 2]);
    expect(statements[0].text).toContain('return 1; end $$');
  });
});
