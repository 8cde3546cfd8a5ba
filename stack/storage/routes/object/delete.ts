import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { deleteObject } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { bucketParam, errors, message, objectParam, tags } from '../openapi.js';

/** DELETE /object/:bucket/*: one object, as the caller; its file goes once the row is gone. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.delete('/object/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.deleteObject, async (c) => {
    const row = await asCaller(deps, callerOf(c), c, (client) => deleteObject(client, c.req.param('bucket')!, c.req.param('path')!));
    await deps.blobs.remove(row.version);
    return c.json({ message: 'Successfully deleted' });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/{bucket}/{path}': {
    delete: { tags, operationId: 'storage_delete', summary: 'Remove one object', security: security.user, parameters: [bucketParam, objectParam], responses: { 200: message, ...errors } },
  },
};
