import type { Hono } from 'hono';
import { dbUrl } from '../config/load.js';
import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { SchemaCacheStore } from './cache-store.js';
import { createHandler } from './handler.js';

/** `/rest/v1`: PostgREST's HTTP API over the exposed schemas. */
export async function createRestService(ctx: ServiceContext): Promise<GatewayService> {
  // Test stacks expose their fixture schemas too (AGORA_API_EXTRA_SCHEMAS), after config.toml's.
  const extra = (process.env.AGORA_API_EXTRA_SCHEMAS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const schemas = [...ctx.config.api.schemas, ...extra.filter((s) => !ctx.config.api.schemas.includes(s))];
  const store = new SchemaCacheStore(ctx.adminPool, dbUrl(ctx.config), schemas, ctx.log, ctx.config.api, () => ctx.roleSettings.reload());
  await store.start();
  const handle = createHandler({ config: ctx.config, schemas, apiPool: ctx.pools.rest, cache: () => store.current() });
  return {
    name: 'rest',
    mount(app: Hono) {
      app.all('/rest/v1', (c) => handle(c.req.raw, '/'));
      app.all('/rest/v1/*', (c) => handle(c.req.raw, new URL(c.req.url).pathname.slice('/rest/v1'.length) || '/'));
    },
    async health() {
      if (!store.current()) throw new Error('schema cache not loaded');
      const client = await ctx.pools.rest.connect();
      try {
        await client.query('begin read only; set local role anon; select 1; commit');
      } finally {
        client.release();
      }
    },
    close: () => store.close(),
  };
}
