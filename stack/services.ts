import type { GatewayService, ServiceContext } from './gateway/app.js';
import { createOpsService } from './gateway/ops.js';
import { createStorageService } from './storage/service.js';
import { createFunctionsService } from './functions/service.js';
import { createRestService } from './rest/service.js';
import { createAuthServices } from './auth/service.js';
import { createRealtimeService } from './realtime/service.js';

/**
 * Every service the gateway serves, in mount order. Each component lives in its own folder
 * (stack/rest, stack/auth, ...) and contributes one entry here.
 */
export async function createServices(ctx: ServiceContext): Promise<GatewayService[]> {
  return [
    { name: 'postgres', health: async () => void (await ctx.adminPool.query('select 1')) },
    createOpsService(ctx),
    await createStorageService(ctx),
    createFunctionsService(ctx),
    await createRestService(ctx),
    ...(await createAuthServices(ctx)),
    await createRealtimeService(ctx),
  ];
}
