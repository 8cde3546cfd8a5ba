import { AsyncLocalStorage } from 'node:async_hooks';

// The id of the request being served, kept for the code below the gateway that has no Hono
// context at hand (this folder's transactions, a mailer), and how a transaction is tagged with it.

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with the request's context available to `currentRequestId()` anywhere below it. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The id of the request being served; undefined outside a request. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** `agora <id>`, cut to Postgres's 63-byte limit for application_name. */
export function applicationName(requestId: string): string {
  return `agora ${requestId}`.slice(0, 63);
}

/**
 * The transaction-local settings that mark a transaction with a request's id: `application_name`
 * shows it in `pg_stat_activity` and in Postgres's log lines (`%a` in log_line_prefix), and
 * `request.id` can be read from SQL with `current_setting('request.id', true)`. None outside a
 * request, so a connection keeps its pool's own application_name.
 */
export function requestTagSettings(requestId: string | undefined = currentRequestId()): Record<string, string> {
  return requestId ? { application_name: applicationName(requestId), 'request.id': requestId } : {};
}
