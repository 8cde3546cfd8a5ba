import { dbUrl } from '../config/load.js';
import { transaction } from '../db/transaction.js';
import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { SchemaCacheStore } from './cache-store.js';
import { createHandler } from './handler.js';

/** `/rest/v1`: PostgREST's HTTP API over the exposed schemas. */
export async function createRestService(ctx: ServiceContext): Promise<GatewayService> {
  // Test stacks expose their fixture schemas too, after config.toml's.
  const { schemas: configured, extraSchemas } = ctx.config.api;
  const schemas = [...configured, ...extraSchemas.filter((s) => !configured.includes(s))];
  const store = new SchemaCacheStore(ctx.adminPool, dbUrl(ctx.config), schemas, ctx.log, ctx.config.api, () => ctx.roleSettings.reload());
  await store.start();
  const handle = createHandler({ config: ctx.config, schemas, apiPool: ctx.pools.rest, cache: () => store.current() });
  return {
    name: 'rest',
    // every request is hot: served on Node's request and response, ahead of the Hono app
    lane: { prefix: '/rest/v1', handle },
    async health() {
      if (!store.current()) throw new Error('schema cache not loaded');
      await transaction(ctx.pools.rest, (client) => client.query('set local role anon; select 1'), { readOnly: true });
    },
    close: () => store.close(),
  };
}
