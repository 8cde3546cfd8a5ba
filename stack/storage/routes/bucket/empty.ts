import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { emptyBucket } from '../../database.js';
import { ERRORS } from '../../errors.js';
import { named, OPERATIONS } from '../../operations.js';
import { bucketParam, errors, message, tags } from '../openapi.js';

/** POST /bucket/:id/empty: removes every object of the bucket (service role only, as Storage serves it). */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/bucket/:id/empty', resolveCaller(deps), named(OPERATIONS.emptyBucket, async (c) => {
    const who = callerOf(c);
    if (who.role !== 'service_role') throw ERRORS.accessDenied('Access denied: Invalid role');
    const versions = await asCaller(deps, who, c, (client) => emptyBucket(client, c.req.param('id')!));
    for (const v of versions) await deps.blobs.remove(v);
    // Storage queues the deletion; here it is done by now, but the answer is Storage's.
    return c.json({ message: 'Empty bucket has been queued. Completion may take up to an hour.' });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/bucket/{id}/empty': {
    post: { tags, operationId: 'storage_empty_bucket', summary: 'Remove every object of a bucket', security: security.serviceRole, parameters: [{ ...bucketParam, name: 'id' }], responses: { 200: message, ...errors } },
  },
};
