import type { Server } from 'node:http';
import { Hono } from 'hono';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { StackConfig } from '../config/load.js';
import { log as stackLog } from '../log.js';
import { checkHealth, type HealthCheck } from './health.js';
import { registry } from './metrics.js';
import { requestLog } from './request-log.js';

/** What every service gets from the stack when it is created. */
export interface ServiceContext {
  config: StackConfig;
  /** Superuser connections, for the stack's own bookkeeping (never for a client's request). */
  adminPool: pg.Pool;
  /** Connections as `authenticator`, which switches to the request's role as PostgREST does. */
  apiPool: pg.Pool;
  log: Logger;
}

/**
 * A service on the gateway: its routes under its own prefix, its health probe, and optionally
 * a hook on the HTTP server (websocket upgrades) and a shutdown step. A service without a
 * `health` probe (the docs pages) is not a component of `/health`.
 *
 * Every request reaching a service's routes already has an id: `c.get('requestId')` (or
 * `currentRequestId()` from ./request-context.ts outside a handler). Pass it to Postgres with
 * `tagTransaction` / `requestTagStatement` from ./db-tag.ts.
 */
export interface GatewayService {
  name: string;
  mount?: (app: Hono) => void;
  attach?: (server: Server) => void;
  health?: HealthCheck['check'];
  /** Postgres was restarted: re-establish long-lived connections now. */
  reconnect?: () => void;
  close?: () => Promise<void>;
}

export interface GatewayOptions {
  /** Where request lines go (default: the stack's logger). */
  log?: Logger;
}

export function createGateway(services: GatewayService[], options: GatewayOptions = {}): Hono {
  const app = new Hono();
  app.use('*', requestLog(options.log ?? stackLog));
  // An error no service handled: its log line (with the error) is written by requestLog, so only
  // the response is made here, as Hono's default does, minus its console.error.
  app.onError((err, c) => ('getResponse' in err && typeof err.getResponse === 'function' ? err.getResponse() : c.text('Internal Server Error', 500)));
  const checks = services.flatMap((s) => (s.health ? [{ name: s.name, check: s.health }] : []));
  app.get('/health', async (c) => {
    const { healthy, body } = await checkHealth(checks);
    return c.json(body, healthy ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  for (const service of services) service.mount?.(app);
  return app;
}
