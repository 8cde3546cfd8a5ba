import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { deleteBucket } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { bucketParam, errors, message, tags } from '../openapi.js';

/** DELETE /bucket/:id: an empty bucket, as the caller. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.delete('/bucket/:id', resolveCaller(deps), named(OPERATIONS.deleteBucket, async (c) => {
    await asCaller(deps, callerOf(c), c, (client) => deleteBucket(client, c.req.param('id')!));
    return c.json({ message: 'Successfully deleted' });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/bucket/{id}': {
    delete: { tags, operationId: 'storage_delete_bucket', summary: 'Delete an empty bucket', security: security.serviceRole, parameters: [{ ...bucketParam, name: 'id' }], responses: { 200: message, ...errors } },
  },
};
