import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import type { StorageApi, StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { renderObject } from '../../render.js';
import { bucketParam, bytes, errors, headers, objectParam, tags } from '../openapi.js';
import { publicRow } from './readable.js';

/** GET and HEAD /object/public/:bucket/*: a public bucket's object, with no JWT needed. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.get('/object/public/:bucket/:path{.+}', named(OPERATIONS.getPublicObject, async (c) =>
    renderObject(deps.blobs, await publicRow(deps, c), c.req.raw, { download: c.req.query('download') })));
  api.on('HEAD', '/object/public/:bucket/:path{.+}', named(OPERATIONS.getPublicObject, async (c) =>
    renderObject(deps.blobs, await publicRow(deps, c), c.req.raw, { head: true })));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/public/{bucket}/{path}': {
    get: { tags, operationId: 'storage_public_download', summary: 'Download from a public bucket (no key needed)', security: security.none, parameters: [bucketParam, objectParam], responses: { 200: bytes, ...errors } },
    head: { tags, operationId: 'storage_public_head', summary: 'A public object\'s headers', security: security.none, parameters: [bucketParam, objectParam], responses: { 200: headers, ...errors } },
  },
};
