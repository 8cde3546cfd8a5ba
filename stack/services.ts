import type { GatewayService, ServiceContext } from './gateway/app.js';
import { createOpsService } from './gateway/ops.js';
import { createStorageService } from './storage/service.js';
import { createFunctionsService } from './functions/service.js';
import { createRestService } from './rest/service.js';
import { createAuthServices } from './auth/service.js';
import type { Inbox } from './inbox/service.js';
import { createRealtimeService } from './realtime/service.js';

/**
 * Every service the gateway serves, in mount order. Each component lives in its own folder
 * (stack/rest, stack/auth, ...) and contributes one entry here.
 */
export async function createServices(ctx: ServiceContext): Promise<GatewayService[]> {
  const ops = createOpsService(ctx);
  const storage = await createStorageService(ctx);
  // the inbox first: functions mail to the SMTP port it actually took
  const auth = await createAuthServices(ctx);
  const inbox = auth.find((s): s is Inbox => s.name === 'inbox');
  return [
    { name: 'postgres', health: async () => void (await ctx.adminPool.query('select 1')) },
    ops,
    storage,
    createFunctionsService(ctx, inbox?.smtpPort ?? null),
    await createRestService(ctx),
    ...auth,
    await createRealtimeService(ctx),
  ];
}
