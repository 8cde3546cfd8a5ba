import pg from 'pg';
import type { Logger } from 'pino';
import { roleDbUrl, type StackConfig } from '../config/load.js';
import { survivePoolErrors } from '../postgres/pool-errors.js';

export type Db = pg.Pool;
export type Tx = pg.PoolClient;

/**
 * Connections as supabase_auth_admin, the role GoTrue logs in as on Supabase, so triggers on
 * auth.users run with the same current_user (and the same privileges) here as there.
 */
export function createAuthPool(config: StackConfig, log: Logger): Db {
  const pool = new pg.Pool({
    connectionString: roleDbUrl(config, 'supabase_auth_admin'),
    max: config.pools.auth,
    connectionTimeoutMillis: config.pools.acquireTimeoutMs,
    application_name: 'agora-auth',
    options: '-c search_path=auth',
  });
  pool.on('error', (err) => log.warn({ err }, 'auth pool connection lost'));
  survivePoolErrors(pool, log, 'auth');
  return pool;
}

/** Runs fn in one transaction tagged with the request id; rolled back on any error (db/transaction.ts). */
export { transaction } from '../db/transaction.js';
