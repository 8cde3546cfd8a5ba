import type { Context } from 'hono';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { StackConfig } from '../config/load.js';
import { withRequestScope } from '../db/request-scope.js';
import { jwtKeys } from '../jwt/keys.js';
import { authenticate, identity, type Caller } from './auth.js';
import type { BlobStore } from './blobs.js';
import { fromDatabaseError } from './errors.js';
import { operationOf } from './operations.js';

/** What every storage route needs. */
export interface StorageDeps {
  config: StackConfig;
  /** Superuser: bucket lookups for limits and public access, as Storage's `asSuperUser()`. */
  adminPool: pg.Pool;
  /** Role-switching pool: every object row a client touches is read or written through RLS. */
  apiPool: pg.Pool;
  blobs: BlobStore;
  /** `[storage] file_size_limit`: the ceiling over every bucket's own limit. */
  globalFileSizeLimit: number;
  log: Logger;
}

export function caller(deps: StorageDeps, c: Context, options: { allowInvalidJwt?: boolean } = {}): Promise<Caller> {
  return authenticate(c.req.raw.headers, jwtKeys(deps.config), options.allowInvalidJwt);
}

/**
 * One transaction as the caller (role + claims, as withRequestScope sets them) with Storage's
 * `storage.operation` for this request set too.
 */
export function scoped<T>(deps: StorageDeps, who: Caller, c: Context, fn: (client: pg.PoolClient) => Promise<T>, options: { readOnly?: boolean; rollback?: boolean } = {}): Promise<T> {
  return withRequestScope(deps.apiPool, identity(who, c.req.method, c.req.path), async (client) => {
    await client.query("select set_config('storage.operation', $1, true)", [operationOf(c)]);
    return fn(client);
  }, options);
}

/** Runs `fn` in one transaction as the caller (role + claims), mapping database errors to Storage's. */
export async function asCaller<T>(
  deps: StorageDeps,
  who: Caller,
  c: Context,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: { readOnly?: boolean; rollback?: boolean; onDuplicate?: Parameters<typeof fromDatabaseError>[1] } = {},
): Promise<T> {
  try {
    return await scoped(deps, who, c, fn, options);
  } catch (err) {
    throw fromDatabaseError(err, options.onDuplicate);
  }
}

/** As Storage's superuser (signed URLs, public buckets, bucket limits). */
export async function asSuperuser<T>(deps: StorageDeps, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await deps.adminPool.connect();
  try {
    return await fn(client);
  } catch (err) {
    throw fromDatabaseError(err);
  } finally {
    client.release();
  }
}
