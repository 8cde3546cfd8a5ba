import type { OpenAPIV3 } from 'openapi-types';
import { json, ref, security } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { findBucket } from '../../database.js';
import { ERRORS } from '../../errors.js';
import { named, OPERATIONS } from '../../operations.js';
import { bucketParam, errors, tags } from '../openapi.js';
import { renderBucket } from './fields.js';

/** GET /bucket/:id: one bucket, if the caller's policies show it. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.get('/bucket/:id', resolveCaller(deps), named(OPERATIONS.getBucket, async (c) => {
    const bucket = await asCaller(deps, callerOf(c), c, (client) => findBucket(client, c.req.param('id')!), { readOnly: true });
    if (!bucket) throw ERRORS.noSuchBucket();
    return c.json(renderBucket(bucket, false));
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/bucket/{id}': {
    get: { tags, operationId: 'storage_get_bucket', summary: 'Get a bucket', security: security.user, parameters: [{ ...bucketParam, name: 'id' }], responses: { 200: json(ref('Bucket')), ...errors } },
  },
};
