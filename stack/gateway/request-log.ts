import { performance } from 'node:perf_hooks';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { componentOf } from './components.js';
import { claimedIdentity } from './identity.js';
import { httpDuration, httpRequests } from './metrics.js';
import { runWithRequestContext } from '../db/request-id.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-context.js';

/**
 * What the gateway does for every request, on the Hono app (`requestLog`) and on the lanes served
 * ahead of it (`lane.ts`) alike: gives it an id (the caller's `x-request-id` when acceptable, else
 * a UUID) that handlers read with `c.get('requestId')` or `currentRequestId()`, returns it in
 * `x-request-id`, counts and times the request, and writes one log line for it.
 */

/** A request being served: its id and when it arrived. */
export interface RequestRecord {
  requestId: string;
  started: number;
}

export function beginRequest(idHeader: string | undefined | null): RequestRecord {
  return { requestId: requestIdFrom(idHeader), started: performance.now() };
}

/** What is known of a request once it is answered. */
export interface RequestOutcome {
  method: string;
  /** the path only: query strings can carry tokens (`?token=`, `?apikey=`) */
  path: string;
  status: number;
  authorization: string | undefined;
  apikey: string | undefined;
  error?: unknown;
}

/** Counts and times the answered request, and writes its log line when the level wants it. */
export function finishRequest(log: Logger, record: RequestRecord, outcome: RequestOutcome): void {
  const { status } = outcome;
  const seconds = (performance.now() - record.started) / 1000;
  const component = componentOf(outcome.path);
  httpRequests.inc({ component, method: outcome.method, status: String(status) });
  httpDuration.observe({ component, status: String(status) }, seconds);

  // the line is built only when it will be written (decoding the token is not free)
  if (status < 500 && !log.isLevelEnabled('info')) return;
  const { role, userId } = claimedIdentity(outcome.authorization, outcome.apikey);
  const line = {
    request_id: record.requestId,
    method: outcome.method,
    path: outcome.path,
    status,
    duration_ms: Math.round(seconds * 100_000) / 100,
    component,
    ...(role ? { role } : {}),
    ...(userId ? { user_id: userId } : {}),
    ...(outcome.error ? { err: outcome.error } : {}),
  };
  if (status >= 500) log.error(line, 'request failed');
  else log.info(line, 'request');
}

/** The Hono app's outermost middleware. */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const record = beginRequest(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', record.requestId);
    await runWithRequestContext({ requestId: record.requestId }, next);
    setHeader(c, REQUEST_ID_HEADER, record.requestId);
    finishRequest(log, record, {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      authorization: c.req.header('authorization'),
      apikey: c.req.header('apikey'),
      error: c.error,
    });
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
