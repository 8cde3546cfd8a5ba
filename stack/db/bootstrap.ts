import path from 'node:path';
import pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { adminDbUrl, dbUrl, PROJECT_ROOT } from '../config/load.js';
import { StackError } from '../errors.js';
import { applyPlatform } from './platform.js';
import { migrate, seedFiles, type MigrationFile } from './migrations.js';

export interface BootstrapResult {
  platform: string[];
  migrations: MigrationFile[];
  seeded: string[];
  /** The demo network's sign-in, when this start seeded it (for the status block). */
  demoLogin?: { email: string; password: string };
}

export interface BootstrapOptions {
  database?: string;
  /** Run the seed on a fresh database (default true). */
  seed?: boolean;
}

/** Opens the bootstrap superuser's session; a cluster made before supabase_admin bootstrapped it is refused. */
async function adminSession(config: StackConfig, database: string | undefined): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: adminDbUrl(config, database), application_name: 'agora-bootstrap' });
  const stale = () =>
    new StackError(
      `${config.dataDir} was initialised when postgres was the bootstrap superuser; on Supabase that is supabase_admin and postgres is not a superuser`,
      `move ${config.dataDir} away (or set AGORA_DATA_DIR) and start again: the database is rebuilt from the migrations and the seed`,
    );
  try {
    await client.connect();
  } catch (err) {
    if ((err as { code?: string }).code === '28000' || /role "supabase_admin" does not exist/.test((err as Error).message)) throw stale();
    throw err;
  }
  const { rows } = await client.query<{ rolname: string }>('select rolname from pg_catalog.pg_authid where oid = 10');
  if (rows[0]?.rolname !== 'supabase_admin') {
    await client.end();
    throw stale();
  }
  return client;
}

/**
 * Brings a database up to date: platform SQL (as supabase_admin), then pending migrations, then —
 * only on a database that was fresh when first bootstrapped — the seed. A fresh database is
 * flagged `seed_pending` until its seed succeeds, so a first start that failed mid-way still seeds later.
 */
export async function bootstrapDatabase(config: StackConfig, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const admin = await adminSession(config, options.database);
  try {
    await admin.query("set client_min_messages = 'warning'");
    // A fresh database is flagged seed_pending before anything else is written, in one
    // transaction with the schema, so a first start killed at any later point still seeds.
    await admin.query('begin');
    await admin.query('create schema if not exists _agora');
    await admin.query('create table if not exists _agora.flags (name text primary key)');
    await admin.query(`insert into _agora.flags
      select 'seed_pending' where to_regclass('_agora.platform_files') is null on conflict do nothing`);
    await admin.query('commit');
    // The platform is the stack's own, whatever project folder is served.
    const platform = await applyPlatform(admin, path.join(PROJECT_ROOT, 'sql', 'platform'), PROJECT_ROOT);
    // The project's SQL runs as `supabase db push` and `db reset` run it: in a new session of
    // postgres, so the role's and the database's settings (search_path with extensions) are in
    // force from the first start on, and nothing of the superuser's session carries over.
    const client = new pg.Client({ connectionString: dbUrl(config, options.database), application_name: 'agora-migrations' });
    await client.connect();
    let applied: MigrationFile[];
    let seeded: string[] = [];
    let demoLogin: BootstrapResult['demoLogin'];
    try {
      ({ applied } = await migrate(client, path.join(config.supabaseDir, 'migrations'), config.rootDir));
      const pending = (await admin.query("select 1 from _agora.flags where name = 'seed_pending'")).rowCount;
      if (pending && options.seed !== false) {
        if (config.db.seedEnabled) seeded = await seedFiles(client, config.db.seedPaths, config.rootDir);
        // Then the app's demo network (seed/demo.ts), loaded lazily: faker is only needed here.
        if (config.db.seedEnabled) {
          const demo = await (await import('../../seed/demo.js')).seedDemoNetwork(client);
          if (demo) seeded.push(demo.summary);
          demoLogin = demo?.login;
        }
        await admin.query("delete from _agora.flags where name = 'seed_pending'");
      }
    } finally {
      await client.end();
    }
    // PostgREST-style layers cache the schema; tell them it may have changed.
    if (platform.length || applied.length) await admin.query("notify pgrst, 'reload schema'");
    return { platform, migrations: applied, seeded, demoLogin };
  } finally {
    await admin.end();
  }
}
