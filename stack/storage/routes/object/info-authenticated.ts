import type { OpenAPIV3 } from 'openapi-types';
import { json, obj, security } from '../../../docs/schema-helpers.js';
import { resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { objectInfo } from '../../render.js';
import { bucketParam, errors, objectParam, tags } from '../openapi.js';
import { readableRow } from './readable.js';

/** GET /object/info/authenticated/:bucket/*: an object's metadata as the caller (a valid JWT required). */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.get('/object/info/authenticated/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.infoAuthObject, async (c) => c.json(objectInfo(await readableRow(deps, c)))));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/info/authenticated/{bucket}/{path}': {
    get: { tags, operationId: 'storage_authenticated_info', summary: 'An object\'s metadata as the caller', security: security.user, parameters: [bucketParam, objectParam], responses: { 200: json(obj({})), ...errors } },
  },
};
