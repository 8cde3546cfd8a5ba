import path from 'node:path';
import { bodyLimit } from '../gateway/body-limit.js';
import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { BlobStore } from './blobs.js';
import { applyConfigBuckets } from './config-buckets.js';
import { sweepOrphans } from './sweep.js';
import type { StorageApi, StorageDeps, StorageEnv } from './context.js';
import { ping } from './database.js';
import { ERRORS, StorageError } from './errors.js';
import { parseFileSize } from './limits.js';
import { mountRoutes } from './routes/index.js';
import { RESUMABLE_EXPOSED_HEADERS } from './routes/resumable/uploads.js';

const DEFAULT_FILE_SIZE_LIMIT = 50 * 1024 * 1024;

function storageSection(ctx: ServiceContext): Record<string, unknown> {
  const s = ctx.config.raw.storage;
  return s && typeof s === 'object' ? (s as Record<string, unknown>) : {};
}

/**
 * CORS for any origin, as Storage answers it: preflights by Hono's middleware; on every other
 * response the same two headers, set once the response exists. Hono's middleware sets them before
 * the handler runs, which makes Hono rebuild each response around a stream (and the server read
 * it back): more work than a small answer (a thumbnail, a JSON body) costs to make.
 */
function corsHeaders(exposed: string[]): MiddlewareHandler {
  const preflight = cors({ origin: '*', exposeHeaders: exposed });
  const expose = exposed.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    let headers = c.res.headers;
    try {
      headers.set('Access-Control-Allow-Origin', '*');
    } catch {
      // a response with immutable headers: copied once
      c.res = new Response(c.res.body, c.res);
      headers = c.res.headers;
      headers.set('Access-Control-Allow-Origin', '*');
    }
    headers.set('Access-Control-Expose-Headers', expose);
  };
}

/** The Hono app served under /storage/v1 (exported for tests that need no port). */
export function storageApp(deps: StorageDeps, onClose: (fn: () => void) => void = () => undefined): StorageApi {
  const api = new Hono<StorageEnv>();
  api.use('*', corsHeaders(['content-length', 'content-range', 'etag', 'x-metadata', ...RESUMABLE_EXPOSED_HEADERS]));
  // JSON bodies of the API routes; uploads are held to file_size_limit instead
  api.use('*', bodyLimit(deps.config.bodyLimits.storage));
  // Postgres text cannot hold NUL: such a bucket name or key is refused before it reaches a query.
  // A key with a line break (never valid in Storage) would match no `{.+}` route: InvalidKey too, not a 404.
  api.use('*', async (c, next) => {
    let path = c.req.path;
    try {
      path = decodeURIComponent(path);
    } catch {
      // left as sent: the routes take it from there
    }
    const rest = path.replace(/^\/storage\/v1/, '');
    if (path.includes('\0') || (rest.startsWith('/object/') && /[\r\n]/.test(rest))) {
      throw rest.startsWith('/bucket') ? ERRORS.invalidBucketName() : ERRORS.invalidKey(rest.split('/').slice(3).join('/'));
    }
    await next();
  });
  mountRoutes(api, deps, onClose);
  // A catch-all route, since Hono ignores a sub-app's notFound under app.route(). Storage's
  // Fastify answers unknown routes with its default 404 body (the URL as Storage sees it, without /storage/v1).
  api.all('*', (c) => {
    const url = new URL(c.req.url);
    const path = url.pathname.replace(/^\/storage\/v1(?=\/|$)/, '') + url.search;
    return c.json({ message: `Route ${c.req.method}:${path} not found`, error: 'Not Found', statusCode: 404 }, 404);
  });
  api.onError((err, c) => {
    // A client that hangs up mid-upload is no server fault worth an error line.
    const aborted = (err as NodeJS.ErrnoException).code === 'ECONNRESET';
    const e = err instanceof StorageError ? err : aborted ? ERRORS.aborted() : ERRORS.internal();
    if (!(err instanceof StorageError) && !aborted) deps.log.error({ err, path: c.req.path }, 'storage request failed');
    return c.json(e.render(), e.httpStatus as 400);
  });
  return api;
}

/** /storage/v1: Supabase Storage's REST API over storage.buckets/objects and files in the data dir. */
export async function createStorageService(ctx: ServiceContext): Promise<GatewayService> {
  await applyConfigBuckets(ctx.adminPool, storageSection(ctx));
  const root = path.join(ctx.config.dataDir, 'storage');
  const deps: StorageDeps = {
    config: ctx.config,
    adminPool: ctx.adminPool,
    apiPool: ctx.pools.storage,
    blobs: new BlobStore(root),
    globalFileSizeLimit: parseFileSize(storageSection(ctx).file_size_limit) ?? DEFAULT_FILE_SIZE_LIMIT,
    log: ctx.log.child({ service: 'storage' }),
  };
  const orphans = await sweepOrphans(ctx.adminPool, deps.blobs);
  if (orphans) deps.log.info({ removed: orphans }, 'removed stored files without an object row');
  const closers: Array<() => void> = [];
  const api = storageApp(deps, (fn) => closers.push(fn));
  return {
    name: 'storage',
    mount: (app) => void app.route('/storage/v1', api),
    close: async () => {
      for (const close of closers) close();
    },
    health: () => ping(ctx.adminPool),
  };
}
