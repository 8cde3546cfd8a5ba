import type pg from 'pg';
import { requestTagSettings } from './request-id.js';
import { lit } from './sql.js';

export interface TransactionOptions {
  readOnly?: boolean;
  /** Roll back even when `fn` succeeds (a dry run, or a read that must leave nothing behind). */
  rollback?: boolean;
  /** Further transaction-local settings (`set_config(..., true)`), after the request tag. */
  settings?: Record<string, string>;
}

/**
 * Runs `fn` in one transaction on a connection of `pool`: committed when it returns, rolled back
 * when it throws. BEGIN goes with the request's tag (request-id.ts) and any further settings in
 * one round trip; being transaction-local, none of them outlives the transaction on the pooled
 * connection. A connection that fails even to roll back is lost: it is released with the error,
 * so the pool closes it instead of handing it to the next caller.
 */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(beginStatement(options));
    const result = await fn(client);
    await client.query(options.rollback ? 'rollback' : 'commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch((lost: Error) => (broken = lost));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** BEGIN and every setting as one simple query: the values are escaped literals, not parameters. */
function beginStatement(options: TransactionOptions): string {
  const begin = options.readOnly ? 'begin read only' : 'begin';
  const settings = Object.entries({ ...requestTagSettings(), ...options.settings });
  if (!settings.length) return begin;
  return `${begin}; select ${settings.map(([name, value]) => `set_config(${lit(name)}, ${lit(value)}, true)`).join(', ')}`;
}
