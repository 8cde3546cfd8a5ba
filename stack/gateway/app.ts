import { Hono } from 'hono';
import { checkHealth, type HealthCheck } from './health.js';

/** A service mounted on the gateway: its routes under its own prefix, and its health probe. */
export interface GatewayService {
  name: string;
  mount?: (app: Hono) => void;
  health: HealthCheck['check'];
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
