import type pg from 'pg';
import { applicationName } from '../gateway/db-tag.js';
import { currentRequestId } from '../gateway/request-context.js';

/** Who a request runs as, as PostgREST, Storage and Realtime set it in Postgres. */
export interface RequestIdentity {
  role: string;
  claims: Record<string, unknown>;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
}

/**
 * Runs `fn` in one transaction as the request's role with its claims set transaction-locally
 * (`set_config(..., true)`), so RLS decides exactly as on Supabase and nothing leaks into the
 * next user of the pooled connection. Rolls back on error, or when `rollback` is set.
 */
export async function withRequestScope<T>(
  pool: pg.Pool,
  identity: RequestIdentity,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: { readOnly?: boolean; rollback?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(options.readOnly ? 'begin read only' : 'begin');
    // The gateway's request id goes along, so a slow query in pg_stat_activity or the
    // Postgres log names the request it served.
    const requestId = currentRequestId() ?? '';
    await client.query(
      `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
              set_config('request.method', $3, true), set_config('request.path', $4, true),
              set_config('request.headers', $5, true), set_config('request.id', $6, true),
              set_config('application_name', $7, true)`,
      [
        identity.role,
        JSON.stringify(identity.claims),
        identity.method ?? '',
        identity.path ?? '',
        JSON.stringify(identity.headers ?? {}),
        requestId,
        requestId ? applicationName(requestId) : 'agora-api',
      ],
    );
    const result = await fn(client);
    await client.query(options.rollback ? 'rollback' : 'commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
