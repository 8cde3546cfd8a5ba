import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { buildOpenApi } from './openapi.js';
import { ASSETS, docsPage, readAsset } from './page.js';

/** `/docs` (Swagger UI), `/docs/openapi.json` (the OpenAPI 3 description, built from the live schema). */
export function mountDocs(ctx: ServiceContext): GatewayService['mount'] {
  return (app) => {
    app.get('/docs', (c) => c.html(docsPage(ctx.config.anonKey)));
    app.get('/docs/', (c) => c.redirect('/docs', 301));
    app.get('/docs/openapi.json', async (c) => {
      const origin = new URL(c.req.url).origin;
      return c.json(await buildOpenApi(ctx, origin));
    });
    app.get('/docs/assets/:name', (c) => {
      const name = c.req.param('name');
      const type = ASSETS[name];
      if (!type) return c.json({ message: 'not found' }, 404);
      return c.body(new Uint8Array(readAsset(name)), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
    });
  };
}
