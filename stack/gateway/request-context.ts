import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header a caller may send to choose the id, and in which the gateway always returns it. */
export const REQUEST_ID_HEADER = 'x-request-id';

// An id chosen by the caller is kept only when it is short and plain, so it can't forge log
// lines or bloat every log entry; anything else gets a fresh UUID.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFrom(header: string | undefined | null): string {
  return header && ACCEPTABLE_ID.test(header) ? header : randomUUID();
}

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with the request's context available to `currentRequestId()` anywhere below it. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * The id of the request being served, for code that has no Hono context at hand (a database
 * helper, a mailer). Undefined outside a request.
 */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the gateway for every request: `c.get('requestId')`. */
    requestId: string;
  }
}
