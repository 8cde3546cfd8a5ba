import { performance } from 'node:perf_hooks';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { componentOf } from './components.js';
import { claimedIdentity } from './identity.js';
import { httpDuration, httpRequests } from './metrics.js';
import { runWithRequestContext } from '../db/request-id.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-context.js';

/**
 * The gateway's outermost middleware: gives every request an id (the caller's `x-request-id`
 * when acceptable, else a UUID) that handlers read with `c.get('requestId')` or
 * `currentRequestId()`, returns it in `x-request-id`, counts and times the request, and writes
 * one log line for it.
 */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', requestId);
    await runWithRequestContext({ requestId }, next);

    const status = c.res.status;
    const seconds = (performance.now() - started) / 1000;
    setHeader(c, REQUEST_ID_HEADER, requestId);

    const component = componentOf(c.req.path);
    httpRequests.inc({ component, method: c.req.method, status: String(status) });
    httpDuration.observe({ component, status: String(status) }, seconds);

    // the line is built only when it will be written (decoding the token is not free)
    if (status < 500 && !log.isLevelEnabled('info')) return;
    const { role, userId } = claimedIdentity(c.req.header('authorization'), c.req.header('apikey'));
    const line = {
      request_id: requestId,
      method: c.req.method,
      // The path only: query strings can carry tokens (`?token=`, `?apikey=`).
      path: c.req.path,
      status,
      duration_ms: Math.round(seconds * 100_000) / 100,
      component,
      ...(role ? { role } : {}),
      ...(userId ? { user_id: userId } : {}),
      ...(c.error ? { err: c.error } : {}),
    };
    if (status >= 500) log.error(line, 'request failed');
    else log.info(line, 'request');
  };
}

type Ctx = Parameters<MiddlewareHandler>[0];

function setHeader(c: Ctx, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    // Responses passed through from fetch() have immutable headers: copy it once.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}
