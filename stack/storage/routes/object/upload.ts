import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { bucketParam, errors, objectParam, storageError, tags, uploadBody, uploaded } from '../openapi.js';
import { receive } from './receive.js';

/** POST /object/:bucket/*: creates an object (or replaces it with `x-upsert: true`), as the caller. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.createObject, async (c) => {
    const who = callerOf(c);
    return receive(deps, c, who, who.userId, c.req.header('x-upsert') === 'true');
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/{bucket}/{path}': {
    post: {
      tags, operationId: 'storage_upload', summary: 'Upload an object', security: security.user, requestBody: uploadBody,
      parameters: [bucketParam, objectParam, { name: 'x-upsert', in: 'header', schema: { type: 'string', enum: ['true', 'false'] }, description: 'Overwrite an existing object' }],
      responses: { 200: uploaded, 409: storageError, 413: storageError, ...errors },
    },
  },
};
