import type { Context, Hono, MiddlewareHandler } from 'hono';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { StackConfig } from '../config/load.js';
import { jwtKeys } from '../jwt/keys.js';
import { authenticate, identity, type Caller } from './auth.js';
import type { BlobStore } from './blobs.js';
import { callerTransaction } from './database.js';
import type { StorageError } from './errors.js';
import { operationOf } from './operations.js';

export { asSuperuser } from './database.js';

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

/** What the storage app's middleware leaves on the request's context. */
export interface StorageEnv {
  Variables: { caller: Caller };
}

export type StorageContext = Context<StorageEnv>;

/** The storage app each route mounts itself on. */
export type StorageApi = Hono<StorageEnv>;

/**
 * Resolves the caller from the request's JWT, as Storage's jwt plugin, before the route runs.
 * By default a missing or bad JWT is refused; `allowInvalidJwt` (the plain read routes) takes it
 * as anon instead. Routes that need no caller (public and signed reads) mount without it.
 */
export function resolveCaller(deps: StorageDeps, options: { allowInvalidJwt?: boolean } = {}): MiddlewareHandler<StorageEnv> {
  return async (c, next) => {
    c.set('caller', await authenticate(c.req.raw.headers, jwtKeys(deps.config), options.allowInvalidJwt));
    await next();
  };
}

/** The caller `resolveCaller` set for this request. */
export function callerOf(c: StorageContext): Caller {
  return c.get('caller');
}

/** Runs `fn` in one transaction as the caller (role + claims + this request's operation), mapping database errors to Storage's. */
export function asCaller<T>(
  deps: StorageDeps,
  who: Caller,
  c: Context,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: { readOnly?: boolean; rollback?: boolean; onDuplicate?: () => StorageError } = {},
): Promise<T> {
  return callerTransaction(deps.apiPool, identity(who, c.req.method, c.req.path), operationOf(c), fn, options);
}
