import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import { renderObject } from '../../render.js';
import { bucketParam, bytes, errors, headers, objectParam, tags } from '../openapi.js';
import { readableRow } from './readable.js';

/** GET and HEAD /object/authenticated/:bucket/*: a download as the caller (a valid JWT required). */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.get('/object/authenticated/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await readableRow(deps, c), c.req.raw, { download: c.req.query('download') })));
  api.on('HEAD', '/object/authenticated/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await readableRow(deps, c), c.req.raw, { head: true })));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/authenticated/{bucket}/{path}': {
    get: { tags, operationId: 'storage_authenticated_download', summary: 'Download an object as the caller', security: security.user, parameters: [bucketParam, objectParam], responses: { 200: bytes, ...errors } },
    head: { tags, operationId: 'storage_authenticated_head', summary: 'An object\'s headers as the caller', security: security.user, parameters: [bucketParam, objectParam], responses: { 200: headers, ...errors } },
  },
};
