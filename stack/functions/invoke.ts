import type { Logger } from 'pino';
import { functionDuration, functionErrors, functionInvocations } from '../gateway/metrics.js';
import { RELAY } from './errors.js';
import { cappedStream, checkDeclaredLength } from '../gateway/body-limit.js';
import type { FunctionSpec } from './config.js';
import type { FunctionsHost } from './host.js';
import { BootError } from './worker.js';

// Hop-by-hop and recomputed headers are not forwarded either way. A request's Content-Length
// goes through as the client sent it (functions check it before reading a body, as on Supabase).
const SKIP_REQUEST = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);
const SKIP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

export interface Invocation {
  name: string;
  /** The function as found for this call. */
  fn: FunctionSpec;
  /** The path the function sees: `/<name>/...` plus the query string, as on Supabase. */
  pathAndQuery: string;
  request: Request;
  clientIp: string | null;
  /** The Authorization the gateway hands on, when it is not the client's own (an API key's JWT). */
  authorization?: string;
}

function forwardHeaders(req: Request, clientIp: string | null, authorization?: string): Headers {
  const headers = new Headers();
  req.headers.forEach((value, key) => {
    if (!SKIP_REQUEST.has(key)) headers.set(key, value);
  });
  if (authorization) headers.set('authorization', authorization);
  if (clientIp) headers.set('x-forwarded-for', req.headers.get('x-forwarded-for') ? `${req.headers.get('x-forwarded-for')}, ${clientIp}` : clientIp);
  return headers;
}

function failed(name: string, reason: string, started: number, res: Response): Response {
  functionInvocations.inc({ function: name, status: reason });
  functionErrors.inc({ function: name, reason });
  functionDuration.observe({ function: name }, (Date.now() - started) / 1000);
  return res;
}

/**
 * Runs one request through the function's worker under the wall-clock limit. A crash answers
 * 500 WORKER_ERROR, the limit 546 WORKER_LIMIT (and a worker whose event loop is stuck is
 * killed), a start failure 503 BOOT_ERROR; other requests and functions are unaffected.
 */
export async function invoke(host: FunctionsHost, call: Invocation, log: Logger): Promise<Response> {
  const started = Date.now();
  const limit = host.settings.maxBodyBytes;
  try {
    checkDeclaredLength(call.request.headers, limit);
  } catch {
    return RELAY.tooLarge(limit);
  }
  let lease: Awaited<ReturnType<FunctionsHost['acquire']>>;
  try {
    lease = await host.acquire(call.fn);
  } catch (err) {
    if (err instanceof BootError) log.warn({ function: call.name, err: err.message }, 'function failed to boot');
    else log.error({ function: call.name, err }, 'function failed to start');
    return failed(call.name, 'boot', started, RELAY.bootError());
  }
  const { worker, port } = lease;
  worker.inflight++;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    worker.inflight--;
    worker.lastUsed = Date.now();
    clearTimeout(timer);
  };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, host.settings.requestTimeoutMs);

  const onTimeout = async () => {
    // A worker that no longer answers its probe is stuck: replace it. A busy-but-alive one
    // keeps serving its other requests.
    if (!(await worker.responsive(port))) host.discard(call.name, worker);
    return failed(call.name, 'timeout', started, RELAY.workerLimit());
  };

  let upstream: Response;
  let tooLarge = false;
  try {
    const method = call.request.method;
    const hasBody = method !== 'GET' && method !== 'HEAD' && call.request.body !== null;
    upstream = await fetch(`http://127.0.0.1:${port}${call.pathAndQuery}`, {
      method,
      headers: forwardHeaders(call.request, call.clientIp, call.authorization),
      // counted as it streams through: past the cap the relay stops and answers 413
      body: hasBody ? cappedStream(call.request.body!, limit, () => (tooLarge = true)) : undefined,
      redirect: 'manual',
      signal: controller.signal,
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    release();
    if (tooLarge) return failed(call.name, 'too_large', started, RELAY.tooLarge(limit));
    if (timedOut) return onTimeout();
    log.warn({ function: call.name, err: (err as Error).message }, 'function worker failed during a request');
    if (!worker.alive || !(await worker.responsive(port, 500))) host.discard(call.name, worker);
    return failed(call.name, 'crash', started, RELAY.workerError());
  }

  const headers = new Headers();
  upstream.headers.forEach((value, key) => {
    if (!SKIP_RESPONSE.has(key)) headers.append(key, value);
  });
  functionInvocations.inc({ function: call.name, status: String(upstream.status) });
  if (upstream.status >= 500) functionErrors.inc({ function: call.name, reason: '5xx' });
  if (!upstream.body) {
    release();
    functionDuration.observe({ function: call.name }, (Date.now() - started) / 1000);
    return new Response(null, { status: upstream.status, headers });
  }
  // The limit covers the body too; the lease ends when the body has been passed on.
  const reader = upstream.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          functionDuration.observe({ function: call.name }, (Date.now() - started) / 1000);
          ctrl.close();
        } else {
          ctrl.enqueue(value);
        }
      } catch (err) {
        release();
        ctrl.error(err);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers });
}
