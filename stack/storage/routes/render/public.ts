import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import type { StorageApi, StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { parseTransformQuery } from '../../transform/options.js';
import { renderImage } from '../../transform/respond.js';
import type { VariantCache } from '../../transform/variants.js';
import { publicRow } from '../object/readable.js';
import { bucketParam, bytes, errors, imageQuery, objectParam, tags } from '../openapi.js';

/** GET /render/image/public/:bucket/*: a public bucket's image, transformed, with no JWT needed. */
export function mount(api: StorageApi, deps: StorageDeps, variants: VariantCache): void {
  api.get('/render/image/public/:bucket/:path{.+}', named(OPERATIONS.renderPublicImage, async (c) => {
    const transform = parseTransformQuery(c.req.query());
    const row = await publicRow(deps, c);
    return renderImage(deps.blobs, variants, row, c.req.raw, transform, { download: c.req.query('download') });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/render/image/public/{bucket}/{path}': {
    get: { tags, operationId: 'storage_render_public_image', summary: 'A public image, resized or converted', security: security.none, parameters: [bucketParam, objectParam, ...imageQuery], responses: { 200: bytes, ...errors } },
  },
};
