import type { OpenAPIV3 } from 'openapi-types';
import { json, obj, security } from '../../../docs/schema-helpers.js';
import type { StorageApi, StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { objectInfo } from '../../render.js';
import { bucketParam, errors, objectParam, tags } from '../openapi.js';
import { publicRow } from './readable.js';

/** GET /object/info/public/:bucket/*: a public object's metadata, with no JWT needed. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.get('/object/info/public/:bucket/:path{.+}', named(OPERATIONS.infoPublicObject, async (c) => c.json(objectInfo(await publicRow(deps, c)))));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/info/public/{bucket}/{path}': {
    get: { tags, operationId: 'storage_public_info', summary: 'A public object\'s metadata', security: security.none, parameters: [bucketParam, objectParam], responses: { 200: json(obj({})), ...errors } },
  },
};
