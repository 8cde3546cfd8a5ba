import type { OpenAPIV3 } from 'openapi-types';
import { query, security, str } from '../../../docs/schema-helpers.js';
import { jwtKeys } from '../../../jwt/keys.js';
import type { StorageApi, StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { verifyUrlToken } from '../../signing.js';
import { bucketParam, errors, objectParam, tags, uploadBody, uploaded } from '../openapi.js';
import { receive } from './receive.js';

/** PUT /object/upload/sign/:bucket/*?token=: an upload by a signed upload URL, as the signer allowed it. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.put('/object/upload/sign/:bucket/:path{.+}', named(OPERATIONS.uploadSignedObject, async (c) => {
    const path = `${c.req.param('bucket')!}/${c.req.param('path')!}`;
    const payload = await verifyUrlToken('upload', c.req.query('token'), jwtKeys(deps.config), path);
    const owner = typeof payload.owner === 'string' ? payload.owner : null;
    // The token carries the signer's upsert choice; a client cannot widen it.
    return receive(deps, c, 'superuser', owner, payload.upsert === true);
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/upload/sign/{bucket}/{path}': {
    put: {
      tags, operationId: 'storage_signed_upload', summary: 'Upload with a signed upload URL\'s token', security: security.none,
      parameters: [bucketParam, objectParam, query('token', str(), undefined, true)], requestBody: uploadBody, responses: { 200: uploaded, ...errors },
    },
  },
};
