import { randomUUID } from 'node:crypto';

// The request's id as the gateway chooses it. It is kept for the code below (runWithRequestContext
// in db/request-id.ts), which tags each transaction with it.

/** The header a caller may send to choose the id, and in which the gateway always returns it. */
export const REQUEST_ID_HEADER = 'x-request-id';

// An id chosen by the caller is kept only when it is short and plain, so it can't forge log
// lines or bloat every log entry; anything else gets a fresh UUID.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFrom(header: string | undefined | null): string {
  return header && ACCEPTABLE_ID.test(header) ? header : randomUUID();
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the gateway for every request: `c.get('requestId')`. */
    requestId: string;
  }
}
