import type { OpenAPIV3 } from 'openapi-types';
import { query, security, str } from '../../../docs/schema-helpers.js';
import { jwtKeys } from '../../../jwt/keys.js';
import { asSuperuser, type StorageApi, type StorageDeps } from '../../context.js';
import { mustFindObject } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { verifyUrlToken } from '../../signing.js';
import { parseTransformationsString } from '../../transform/options.js';
import { renderImage } from '../../transform/respond.js';
import type { VariantCache } from '../../transform/variants.js';
import { bucketParam, bytes, errors, objectParam, tags } from '../openapi.js';

/** GET /render/image/sign/:bucket/*?token=: an image by a signed URL, with the transformations signed into it (the query cannot change them). */
export function mount(api: StorageApi, deps: StorageDeps, variants: VariantCache): void {
  api.get('/render/image/sign/:bucket/:path{.+}', named(OPERATIONS.renderSignedImage, async (c) => {
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    const payload = await verifyUrlToken('download', c.req.query('token'), jwtKeys(deps.config), `${bucketId}/${name}`);
    const row = await asSuperuser(deps, (client) => mustFindObject(client, bucketId, name));
    const expires = typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toUTCString() : undefined;
    return renderImage(deps.blobs, variants, row, c.req.raw, parseTransformationsString(payload.transformations), { download: c.req.query('download'), expires });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/render/image/sign/{bucket}/{path}': {
    get: { tags, operationId: 'storage_render_signed_image', summary: 'An image by a signed URL, as it was signed', security: security.none, parameters: [bucketParam, objectParam, query('token', str(), undefined, true)], responses: { 200: bytes, ...errors } },
  },
};
