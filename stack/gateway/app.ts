import type { Server } from 'node:http';
import { Hono } from 'hono';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { StackConfig } from '../config/load.js';
import { checkHealth, type HealthCheck } from './health.js';

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
 * a hook on the HTTP server (websocket upgrades) and a shutdown step.
 */
export interface GatewayService {
  name: string;
  mount?: (app: Hono) => void;
  attach?: (server: Server) => void;
  health: HealthCheck['check'];
  close?: () => Promise<void>;
}

export function createGateway(services: GatewayService[]): Hono {
  const app = new Hono();
  const checks = services.map((s) => ({ name: s.name, check: s.health }));
  app.get('/health', async (c) => {
    const { healthy, body } = await checkHealth(checks);
    return c.json(body, healthy ? 200 : 503);
  });
  for (const service of services) service.mount?.(app);
  return app;
}
