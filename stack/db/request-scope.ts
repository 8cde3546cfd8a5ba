import type pg from 'pg';
import { Pipeline, type PipelineStatement } from './pipeline.js';
import { currentRequestId, requestTagSettings } from './request-id.js';
import { roleSettingsFor } from './role-settings.js';
import { lit } from './sql.js';
import { transaction } from './transaction.js';

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
  // BEGIN and every setting in one round trip, as PostgREST pipelines them.
  return transaction(pool, fn, { ...options, settings: scopeSettings(pool, identity) });
}

/**
 * What a request's transaction sets, transaction-locally: the role, then that role's own settings
 * (statement_timeout...: see role-settings.ts), then the request's; the request's own settings
 * (REST's search_path) win over the role's.
 */
function scopeSettings(pool: pg.Pool, identity: RequestIdentity): Record<string, string> {
  // The gateway's request id goes along (request-id.ts), so a slow query in pg_stat_activity or
  // the Postgres log names the request it served; outside a request, request.id is empty.
  const requestId = currentRequestId();
  return {
    role: identity.role,
    ...roleSettingsFor(pool, identity.role),
    'request.jwt.claims': JSON.stringify(identity.claims),
    'request.method': identity.method ?? '',
    'request.path': identity.path ?? '',
    'request.headers': JSON.stringify(identity.headers ?? {}),
    ...(requestId ? requestTagSettings(requestId) : { 'request.id': '', application_name: 'agora-api' }),
    ...identity.settings,
  };
}

/**
 * One statement as the request's identity, in one round trip: the settings and the statement go
 * to Postgres as one pipeline and run in one implicit transaction, committed when both succeed
 * (see pipeline.ts). For requests that need nothing between the two; `withRequestScope` is for
 * the rest. Returns the statement's rows.
 */
export async function queryInRequestScope<R = Record<string, unknown>>(
  pool: pg.Pool,
  identity: RequestIdentity,
  statement: PipelineStatement,
  options: { readOnly?: boolean } = {},
): Promise<R[]> {
  const entries = Object.entries(scopeSettings(pool, identity));
  if (options.readOnly) entries.push(['transaction_read_only', 'on']);
  const settings = settingsStatement(entries);
  const client = await pool.connect();
  let broken = false;
  try {
    try {
      return (await client.query(new Pipeline([settings, statement])).result) as R[];
    } catch (err) {
      // a statement whose result type changed under it (a view redefined, say) or that a function
      // deallocated is prepared afresh on this same connection and tried once more
      if (!isStalePlan(err)) throw err;
      return (await client.query(new Pipeline([settings, statement])).result) as R[];
    }
  } catch (err) {
    // a lost connection is not given back (a Postgres error leaves it usable)
    broken = !(err as { code?: string }).code;
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * `select set_config('<name>', $1, true), ...`: the names are part of the text and only the values
 * are parameters, so each set of names is one prepared statement per connection, bound with half
 * the parameters. Sets of names are few (a role's own settings, a timezone, read-only or not).
 */
function settingsStatement(entries: Array<[string, string]>): PipelineStatement {
  let key = '';
  for (const [name] of entries) key += `${name}\0`;
  let text = settingsTexts.get(key);
  if (text === undefined) {
    text = `select ${entries.map(([name], i) => `set_config(${lit(name)}, $${i + 1}, true)`).join(', ')}`;
    if (settingsTexts.size < MAX_SETTINGS_TEXTS) settingsTexts.set(key, text);
  }
  const values = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) values[i] = entries[i][1];
  return { text, values };
}

const settingsTexts = new Map<string, string>();
const MAX_SETTINGS_TEXTS = 256;

const isStalePlan = (err: unknown) => {
  const { code, message } = err as { code?: string; message?: string };
  return code === '26000' || (code === '0A000' && /cached plan must not change result type/.test(String(message)));
};
