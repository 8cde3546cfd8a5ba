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
  /** Further transaction-local settings (search_path, timezone...), set in the same round trip. */
  settings?: Record<string, string>;
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
    // The gateway's request id goes along, so a slow query in pg_stat_activity or the
    // Postgres log names the request it served.
    const requestId = currentRequestId() ?? '';
    const settings: Record<string, string> = {
      role: identity.role,
      'request.jwt.claims': JSON.stringify(identity.claims),
      'request.method': identity.method ?? '',
      'request.path': identity.path ?? '',
      'request.headers': JSON.stringify(identity.headers ?? {}),
      'request.id': requestId,
      application_name: requestId ? applicationName(requestId) : 'agora-api',
      ...identity.settings,
    };
    // BEGIN and every setting in one round trip, as PostgREST pipelines them: a multi-statement
    // simple query, so the values are escaped literals (escapeLiteral) rather than parameters.
    const assignments = Object.entries(settings)
      .map(([name, value]) => `set_config(${client.escapeLiteral(name)}, ${client.escapeLiteral(value)}, true)`)
      .join(', ');
    await client.query(`${options.readOnly ? 'begin read only' : 'begin'}; select ${assignments}`);
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
