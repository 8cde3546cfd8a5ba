import type pg from 'pg';
import { currentRequestId } from './request-context.js';

/**
 * The statement (and its parameters) that marks the current transaction with the request's id:
 * `application_name` shows it in `pg_stat_activity` and in Postgres's log lines (`%a` in
 * log_line_prefix), and `request.id` can be read from SQL with `current_setting('request.id', true)`.
 * Both are set transaction-locally, so a pooled connection never carries one request's id into
 * the next. Meant to be merged into a service's own per-transaction `set_config` select.
 */
export function requestTagStatement(requestId: string): { text: string; values: string[] } {
  return {
    text: `select set_config('application_name', $1, true), set_config('request.id', $2, true)`,
    values: [applicationName(requestId), requestId],
  };
}

/** `agora <id>`, cut to Postgres's 63-byte limit for application_name. */
export function applicationName(requestId: string): string {
  return `agora ${requestId}`.slice(0, 63);
}

/**
 * Tags the open transaction on `client` with the request id (the given one, or the one of the
 * request being served). Call it right after `begin`; a no-op outside a request.
 */
export async function tagTransaction(client: pg.ClientBase, requestId: string | undefined = currentRequestId()): Promise<void> {
  if (!requestId) return;
  await client.query(requestTagStatement(requestId));
}
