import type { GatewayService, ServiceContext } from './gateway/app.js';

/**
 * Every service the gateway serves, in mount order. Each component lives in its own folder
 * (stack/rest, stack/auth, ...) and contributes one entry here.
 */
export async function createServices(ctx: ServiceContext): Promise<GatewayService[]> {
  return [
    { name: 'postgres', health: async () => void (await ctx.adminPool.query('select 1')) },
  ];
}
