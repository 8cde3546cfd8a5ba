import path from 'node:path';
import pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { dbUrl, PROJECT_ROOT } from '../config/load.js';
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

/**
 * Brings a database up to date: platform SQL, then pending migrations, then — only on a
 * database that was fresh when first bootstrapped — the seed. A fresh database is flagged
 * `seed_pending` until its seed succeeds, so a first start that failed mid-way still seeds later.
 */
export async function bootstrapDatabase(config: StackConfig, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const client = new pg.Client({ connectionString: dbUrl(config, options.database), application_name: 'agora-bootstrap' });
  await client.connect();
  try {
    await client.query("set client_min_messages = 'warning'");
    // A fresh database is flagged seed_pending before anything else is written, in one
    // transaction with the schema, so a first start killed at any later point still seeds.
    await client.query('begin');
    await client.query('create schema if not exists _agora');
    await client.query('create table if not exists _agora.flags (name text primary key)');
    await client.query(`insert into _agora.flags
      select 'seed_pending' where to_regclass('_agora.platform_files') is null on conflict do nothing`);
    await client.query('commit');
    // The platform is the stack's own, whatever project folder is served.
    const platform = await applyPlatform(client, path.join(PROJECT_ROOT, 'sql', 'platform'), PROJECT_ROOT);
    const { applied } = await migrate(client, path.join(config.supabaseDir, 'migrations'), config.rootDir);
    let seeded: string[] = [];
    let demoLogin: BootstrapResult['demoLogin'];
    const pending = (await client.query("select 1 from _agora.flags where name = 'seed_pending'")).rowCount;
    if (pending && options.seed !== false) {
      if (config.db.seedEnabled) seeded = await seedFiles(client, config.db.seedPaths, config.rootDir);
      // Then the app's demo network (seed/demo.ts), loaded lazily: faker is only needed here.
      if (config.db.seedEnabled) {
        const demo = await (await import('../../seed/demo.js')).seedDemoNetwork(client);
        if (demo) seeded.push(demo.summary);
        demoLogin = demo?.login;
      }
      await client.query("delete from _agora.flags where name = 'seed_pending'");
    }
    // PostgREST-style layers cache the schema; tell them it may have changed.
    if (platform.length || applied.length) await client.query("notify pgrst, 'reload schema'");
    return { platform, migrations: applied, seeded, demoLogin };
  } finally {
    await client.end();
  }
}
