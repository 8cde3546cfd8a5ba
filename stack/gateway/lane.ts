import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { runWithRequestContext } from '../db/request-id.js';
import { isBrowser, SECRET_KEY_IN_BROWSER, secretKeyFromBrowser } from '../jwt/credentials.js';
import type { JwtKeys } from '../jwt/keys.js';
import { drainUnread, readIncomingCapped } from './body-limit.js';
import { type HeaderSource, nodeHeaders } from './headers.js';
import { REQUEST_ID_HEADER } from './request-context.js';
import { beginRequest, finishRequest } from './request-log.js';

/**
 * Lanes: path prefixes served on Node's own request and response, ahead of the Hono app. A
 * component whose every request is hot (REST) skips building a Web Request, a Response and a Hono
 * context per request. Everything the gateway does for a request still happens, with the same
 * code as for the app: the request id and its context, the refusal of a secret key from a
 * browser, metrics and the log line (request-log.ts).
 */

export interface LaneRequest {
  method: string;
  /** the path below the lane's prefix, starting with `/` (still percent-encoded) */
  path: string;
  /** the query string, without `?` */
  query: string;
  headers: HeaderSource;
  /** the headers as Node parsed them: names lowercased, repeats joined */
  rawHeaders: IncomingHttpHeaders;
  /** where the request was addressed: `http://<Host>` (the served address when Host is absent or not a plain host) */
  origin: string;
  /** the whole body, at most `limit` bytes (`BodyTooLarge` past that) */
  body(limit: number): Promise<Uint8Array>;
}

export interface LaneReply {
  status: number;
  /** a header named twice (Set-Cookie) is an array */
  headers: Record<string, string | string[]>;
  body: string | null;
}

export interface Lane {
  /** a path prefix such as `/rest/v1`: it and everything below it */
  prefix: string;
  handle(request: LaneRequest): Promise<LaneReply>;
}

export interface LaneOptions {
  log: Logger;
  keys?: JwtKeys;
  /** the address served, for a request without a Host header */
  hostname: string;
}

/** The HTTP server's listener: a lane when one owns the path, else the Hono app. */
export function gatewayListener(app: Hono, lanes: Lane[], options: LaneOptions): RequestListener {
  const fallback = getRequestListener(app.fetch, { hostname: options.hostname });
  if (!lanes.length) return fallback;
  return (incoming, outgoing) => {
    const raw = incoming.url ?? '/';
    // The WHATWG parse resolves dot segments as the app's router sees them, so a path cannot
    // leave a lane (or enter one) by `..`; a target the app refuses (a backslash) is left to it.
    // (a request target in absolute form, `http://host/path`, as RFC 9112 lets a client send it, is read the same way)
    let url: URL;
    try {
      if (raw.includes('\\') || !(raw.startsWith('/') || /^https?:\/\//i.test(raw))) return void fallback(incoming, outgoing);
      url = new URL(raw.startsWith('/') ? `http://gateway${raw}` : raw);
    } catch {
      return void fallback(incoming, outgoing);
    }
    const path = url.pathname;
    for (const lane of lanes) {
      if (path === lane.prefix || path.startsWith(`${lane.prefix}/`)) {
        serveLane(lane, path.slice(lane.prefix.length) || '/', url.search.slice(1), incoming, outgoing, options).catch((err: unknown) => {
          options.log.error({ err }, 'lane failed');
          outgoing.destroy();
        });
        return;
      }
    }
    return fallback(incoming, outgoing);
  };
}

const INTERNAL_ERROR: LaneReply = { status: 500, headers: { 'Content-Type': 'text/plain; charset=UTF-8' }, body: 'Internal Server Error' };

async function serveLane(lane: Lane, path: string, query: string, incoming: IncomingMessage, outgoing: ServerResponse, options: LaneOptions): Promise<void> {
  const rawHeaders = incoming.headers;
  const record = beginRequest(header(rawHeaders[REQUEST_ID_HEADER]));
  const method = incoming.method ?? 'GET';
  let reply: LaneReply;
  let error: unknown;
  try {
    reply = refusedSecretKey(options.keys, rawHeaders, query) ?? await runWithRequestContext({ requestId: record.requestId }, () => lane.handle({
      method, path, query, rawHeaders,
      headers: nodeHeaders(rawHeaders),
      origin: `http://${plainHost(rawHeaders.host) ?? options.hostname}`,
      body: (limit) => readIncomingCapped(incoming, limit),
    }));
  } catch (err) {
    error = err;
    reply = INTERNAL_ERROR;
  }
  try {
    write(outgoing, reply, record.requestId);
  } catch (err) {
    // a header Node refuses to send: nothing is out yet, so the plain 500 can still go
    error = err;
    reply = INTERNAL_ERROR;
    write(outgoing, reply, record.requestId);
  }
  // a body left unread (a 413, an early error) still arriving
  if (!incoming.complete) outgoing.once('finish', () => drainUnread(incoming));
  finishRequest(options.log, record, {
    method, path: `${lane.prefix}${path === '/' ? '' : path}`, status: reply.status,
    authorization: header(rawHeaders.authorization), apikey: header(rawHeaders.apikey), error,
  });
}

function write(outgoing: ServerResponse, reply: LaneReply, requestId: string): void {
  if (outgoing.headersSent || outgoing.destroyed) return;
  const headers: Record<string, string | string[] | number> = { ...reply.headers, [REQUEST_ID_HEADER]: requestId };
  const { body } = reply;
  if (body !== null) headers['Content-Length'] = Buffer.byteLength(body);
  outgoing.writeHead(reply.status, headers);
  outgoing.end(body ?? undefined);
}

/** Kong's refusal of a secret key sent by a browser, as the app's middleware applies it. */
function refusedSecretKey(keys: JwtKeys | undefined, headers: IncomingHttpHeaders, query: string): LaneReply | null {
  const userAgent = header(headers['user-agent']);
  if (!keys || !isBrowser(userAgent)) return null;
  const presented = [header(headers.apikey), header(headers.authorization), new URLSearchParams(query).get('apikey')];
  if (!secretKeyFromBrowser(keys, userAgent, presented)) return null;
  return {
    status: 401,
    headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' },
    body: JSON.stringify(SECRET_KEY_IN_BROWSER),
  };
}

/** A Host header that is a plain host[:port]; anything else is not echoed back (the served address is used). */
const plainHost = (host: string | undefined) => (host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : undefined);

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);
