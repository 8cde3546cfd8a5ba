import type { OpenAPIV3 } from 'openapi-types';
import { query, security, str } from '../../../docs/schema-helpers.js';
import { jwtKeys } from '../../../jwt/keys.js';
import { asSuperuser, type StorageApi, type StorageDeps } from '../../context.js';
import { mustFindObject } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { renderObject } from '../../render.js';
import { verifyUrlToken } from '../../signing.js';
import { bucketParam, bytes, errors, objectParam, tags } from '../openapi.js';
import { target } from './readable.js';

/** GET /object/sign/:bucket/*?token=: a download by a signed URL's token, read as superuser. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.get('/object/sign/:bucket/:path{.+}', named(OPERATIONS.getSignedObject, async (c) => {
    const { bucketId, name } = target(c);
    const payload = await verifyUrlToken('download', c.req.query('token'), jwtKeys(deps.config), `${bucketId}/${name}`);
    const row = await asSuperuser(deps, (client) => mustFindObject(client, bucketId, name));
    const expires = typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toUTCString() : undefined;
    return renderObject(deps.blobs, row, c.req.raw, { download: c.req.query('download'), expires });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/sign/{bucket}/{path}': {
    get: {
      tags, operationId: 'storage_signed_download', summary: 'Download with a signed URL\'s token', security: security.none,
      parameters: [bucketParam, objectParam, query('token', str(), undefined, true)], responses: { 200: bytes, ...errors },
    },
  },
};
