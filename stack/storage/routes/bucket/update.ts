import type { OpenAPIV3 } from 'openapi-types';
import { jsonBody, security } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { updateBucket, type BucketChanges } from '../../database.js';
import { ERRORS } from '../../errors.js';
import { named, OPERATIONS } from '../../operations.js';
import { readJson } from '../body.js';
import { bucketBody, bucketParam, errors, message, tags } from '../openapi.js';
import { bucketFileSizeLimit, mimeTypes } from './fields.js';

/** PUT /bucket/:id: changes public, file_size_limit and allowed_mime_types, as the caller. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.put('/bucket/:id', resolveCaller(deps), named(OPERATIONS.updateBucket, async (c) => {
    const body = await readJson(c);
    const changes: BucketChanges = {};
    if (body.public !== undefined) changes.public = body.public === true;
    if (body.file_size_limit !== undefined) changes.fileSizeLimit = bucketFileSizeLimit(deps, body.file_size_limit);
    if (body.allowed_mime_types !== undefined) changes.allowedMimeTypes = mimeTypes(body.allowed_mime_types);
    const found = await asCaller(deps, callerOf(c), c, (client) => updateBucket(client, c.req.param('id')!, changes));
    if (!found) throw ERRORS.noSuchBucket();
    return c.json({ message: 'Successfully updated' });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/bucket/{id}': {
    put: { tags, operationId: 'storage_update_bucket', summary: 'Update a bucket', security: security.serviceRole, parameters: [{ ...bucketParam, name: 'id' }], requestBody: jsonBody(bucketBody), responses: { 200: message, ...errors } },
  },
};
