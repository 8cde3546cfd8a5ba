import type { Server } from 'node:http';
import { Hono } from 'hono';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { StackConfig } from '../config/load.js';
import type { ComponentPools } from '../db/component-pools.js';
import type { RoleSettings } from '../db/role-settings.js';
import { log as stackLog } from '../log.js';
import { checkHealth, type HealthCheck } from './health.js';
import { registry } from './metrics.js';
import { carriesServiceKey } from './metrics-auth.js';
import { requestLog } from './request-log.js';
import { isBrowser, SECRET_KEY_IN_BROWSER, secretKeyFromBrowser } from '../jwt/credentials.js';
import type { JwtKeys } from '../jwt/keys.js';
import type { Lane } from './lane.js';

/** What every service gets from the stack when it is created. */
export interface ServiceContext {
  config: StackConfig;
  /** Superuser connections, for the stack's own bookkeeping (never for a client's request). */
  adminPool: pg.Pool;
  /**
   * Each client-serving component's own connections as `authenticator`, which switches to the
   * request's role as PostgREST does.
   */
  pools: ComponentPools;
  /** The roles' own settings, applied in every request scope; REST reloads them with its schema cache. */
  roleSettings: RoleSettings;
  log: Logger;
}

/**
 * A service on the gateway: its routes under its own prefix, its health probe, and optionally
 * a hook on the HTTP server (websocket upgrades) and a shutdown step. A service without a
 * `health` probe (the docs pages) is not a component of `/health`.
 *
 * Every request reaching a service's routes already has an id: `c.get('requestId')` (or
 * `currentRequestId()` from db/request-id.ts outside a handler). Transactions opened with
 * db/transaction.ts carry it to Postgres by themselves.
 */
export interface GatewayService {
  name: string;
  mount?: (app: Hono) => void;
  /** A path prefix served on Node's request and response ahead of the app (lane.ts), for a hot component. */
  lane?: Lane;
  attach?: (server: Server) => void;
  health?: HealthCheck['check'];
  /** Postgres was restarted: re-establish long-lived connections now. */
  reconnect?: () => void;
  close?: () => Promise<void>;
}

export interface GatewayOptions {
  /** Where request lines go (default: the stack's logger). */
  log?: Logger;
  /** The project's keys: with them, a secret API key sent by a browser is refused here, before any service. */
  keys?: JwtKeys;
  /** /metrics answers only a request carrying this key (the service_role key). */
  serviceKey: string;
}

export function createGateway(services: GatewayService[], options: GatewayOptions): Hono {
  const app = new Hono();
  app.use('*', requestLog(options.log ?? stackLog));
  // An error no service handled: its log line (with the error) is written by requestLog, so only
  // the response is made here, as Hono's default does, minus its console.error.
  app.onError((err, c) => ('getResponse' in err && typeof err.getResponse === 'function' ? err.getResponse() : c.text('Internal Server Error', 500)));
  const keys = options.keys;
  if (keys) {
    app.use('*', async (c, next) => {
      const userAgent = c.req.header('user-agent');
      if (!isBrowser(userAgent)) return next();
      const presented = [c.req.header('apikey'), c.req.header('authorization'), c.req.query('apikey')];
      if (!secretKeyFromBrowser(keys, userAgent, presented)) return next();
      return c.json(SECRET_KEY_IN_BROWSER, 401, { 'Access-Control-Allow-Origin': '*' });
    });
  }
  const checks = services.flatMap((s) => (s.health ? [{ name: s.name, check: s.health }] : []));
  app.get('/health', async (c) => {
    const { healthy, body } = await checkHealth(checks);
    return c.json(body, healthy ? 200 : 503);
  });
  // Privileged, as Supabase's metrics endpoint: pool sizes and traffic are not for every client.
  const serviceKey = options.serviceKey;
  app.get('/metrics', async (c) => {
    if (!carriesServiceKey(c.req.raw.headers, serviceKey)) {
      return c.json({ message: 'Invalid authentication credentials' }, 401, { 'WWW-Authenticate': 'Basic realm="metrics"' });
    }
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  for (const service of services) service.mount?.(app);
  return app;
}
