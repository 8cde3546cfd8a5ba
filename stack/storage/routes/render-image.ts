import type { Hono } from 'hono';
import { storageSettings } from '../../config/storage.js';
import { asCaller, asSuperuser, caller, type StorageDeps } from '../context.js';
import { ERRORS } from '../errors.js';
import { mustFindObject } from '../objects.js';
import { named, OPERATIONS } from '../operations.js';
import { verifyUrlToken } from '../signing.js';
import { jwtKeys } from '../../jwt/keys.js';
import { parseTransformationsString, parseTransformQuery } from '../transform/options.js';
import { renderImage } from '../transform/respond.js';
import { VariantCache } from '../transform/variants.js';
import { publicRow } from './read.js';

/**
 * /render/image/{public,authenticated,sign}/<bucket>/<path>: Storage's image transformations.
 * Access is exactly the original's: a public bucket's object as superuser, an authenticated read
 * through RLS as the caller (a valid JWT required), a signed one by its token, whose
 * transformations are the ones signed (the query cannot change them).
 */
export function renderImageRoutes(api: Hono, deps: StorageDeps): void {
  const settings = storageSettings(deps.config);
  if (!settings.imageTransformation) {
    api.all('/render/image/*', () => {
      throw ERRORS.featureNotEnabled('imageTransformation');
    });
    return;
  }
  const variants = new VariantCache(deps.blobs.variantDir, settings.threadPoolSize);

  api.get('/render/image/public/:bucket/:path{.+}', named(OPERATIONS.renderPublicImage, async (c) => {
    const transform = parseTransformQuery(c.req.query());
    const row = await publicRow(deps, c);
    return renderImage(deps.blobs, variants, row, c.req.raw, transform, { download: c.req.query('download') });
  }));

  api.get('/render/image/authenticated/:bucket/:path{.+}', named(OPERATIONS.renderAuthImage, async (c) => {
    const who = await caller(deps, c);
    const transform = parseTransformQuery(c.req.query());
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    const row = await asCaller(deps, who, c, (client) => mustFindObject(client, bucketId, name), { readOnly: true });
    return renderImage(deps.blobs, variants, row, c.req.raw, transform, { download: c.req.query('download') });
  }));

  api.get('/render/image/sign/:bucket/:path{.+}', named(OPERATIONS.renderSignedImage, async (c) => {
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    const payload = await verifyUrlToken('download', c.req.query('token'), jwtKeys(deps.config), `${bucketId}/${name}`);
    const row = await asSuperuser(deps, (client) => mustFindObject(client, bucketId, name));
    const expires = typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toUTCString() : undefined;
    return renderImage(deps.blobs, variants, row, c.req.raw, parseTransformationsString(payload.transformations), { download: c.req.query('download'), expires });
  }));
}
