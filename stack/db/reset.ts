import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { adminDbUrl } from '../config/load.js';
import { bootstrapDatabase, type BootstrapResult } from './bootstrap.js';

/**
 * Drops and recreates the `postgres` database, then rebuilds it from the platform SQL, the
 * migrations and the seed — what `supabase db reset` does for the CLI's stack. Works while the
 * stack runs: its connections are ended and its pools reconnect to the new database.
 */
export async function resetDatabase(config: StackConfig): Promise<BootstrapResult> {
  const admin = new pg.Client({ connectionString: adminDbUrl(config, 'template1'), application_name: 'agora-reset' });
  await admin.connect();
  try {
    // Realtime's replication slot pins the database: end its walsender (waiting until it is
    // gone, or the slot is still "active") and drop the slot; realtime makes a new one.
    await admin.query(
      `select pg_terminate_backend(active_pid, 5000) from pg_replication_slots where database = 'postgres' and active_pid is not null`,
    );
    await admin.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = 'postgres'`);
    await admin.query('drop database if exists postgres with (force)');
    await admin.query('create database postgres');
  } finally {
    await admin.end();
  }
  // Stored objects belonged to the old database's storage.objects rows.
  rmSync(path.join(config.dataDir, 'storage'), { recursive: true, force: true });
  return bootstrapDatabase(config);
}
