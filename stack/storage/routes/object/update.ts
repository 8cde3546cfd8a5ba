import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { bucketParam, errors, objectParam, tags, uploadBody, uploaded } from '../openapi.js';
import { receive } from './receive.js';

/** PUT /object/:bucket/*: replaces an object (an upsert), as the caller. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.put('/object/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.updateObject, async (c) => {
    const who = callerOf(c);
    return receive(deps, c, who, who.userId, true);
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/{bucket}/{path}': {
    put: { tags, operationId: 'storage_update', summary: 'Replace an existing object', security: security.user, parameters: [bucketParam, objectParam], requestBody: uploadBody, responses: { 200: uploaded, ...errors } },
  },
};
