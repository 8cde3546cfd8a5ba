import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { mustFindObject } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { parseTransformQuery } from '../../transform/options.js';
import { renderImage } from '../../transform/respond.js';
import type { VariantCache } from '../../transform/variants.js';
import { bucketParam, bytes, errors, imageQuery, objectParam, tags } from '../openapi.js';

/** GET /render/image/authenticated/:bucket/*: an image read through RLS as the caller (a valid JWT required), transformed. */
export function mount(api: StorageApi, deps: StorageDeps, variants: VariantCache): void {
  api.get('/render/image/authenticated/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.renderAuthImage, async (c) => {
    const transform = parseTransformQuery(c.req.query());
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    const row = await asCaller(deps, callerOf(c), c, (client) => mustFindObject(client, bucketId, name), { readOnly: true });
    return renderImage(deps.blobs, variants, row, c.req.raw, transform, { download: c.req.query('download') });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/render/image/authenticated/{bucket}/{path}': {
    get: { tags, operationId: 'storage_render_authenticated_image', summary: 'An image as the caller, resized or converted', security: security.user, parameters: [bucketParam, objectParam, ...imageQuery], responses: { 200: bytes, ...errors } },
  },
};
