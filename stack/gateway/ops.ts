import { mountDocs } from '../docs/service.js';
import type { GatewayService, ServiceContext } from './app.js';
import { observePool, unobservePool } from './metrics.js';

/**
 * The gateway's own pages beside /health and /metrics: the API docs, and the pool gauges of
 * /metrics. Not a component of /health (it has no probe of its own).
 */
export function createOpsService(ctx: ServiceContext): GatewayService {
  observePool('admin', ctx.adminPool);
  for (const [name, pool] of Object.entries(ctx.pools)) observePool(name, pool);
  return {
    name: 'ops',
    mount: mountDocs(ctx),
    close: async () => {
      unobservePool('admin', ctx.adminPool);
      for (const [name, pool] of Object.entries(ctx.pools)) unobservePool(name, pool);
    },
  };
}
