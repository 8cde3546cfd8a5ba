import type { OpenAPIV3 } from 'openapi-types';
import { json, jsonBody, obj, security, str } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { createBucket } from '../../database.js';
import { ERRORS } from '../../errors.js';
import { mustBeValidBucketName } from '../../limits.js';
import { named, OPERATIONS } from '../../operations.js';
import { readJson } from '../body.js';
import { bucketBody, errors, tags } from '../openapi.js';
import { bucketFileSizeLimit, mimeTypes } from './fields.js';

/** POST /bucket: a new row of storage.buckets, inserted as the caller (RLS decides; service_role bypasses it). */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/bucket', resolveCaller(deps), named(OPERATIONS.createBucket, async (c) => {
    const who = callerOf(c);
    const body = await readJson(c);
    const name = typeof body.name === 'string' ? body.name : '';
    if (!name) throw ERRORS.missingParameter('name');
    const id = typeof body.id === 'string' && body.id ? body.id : name;
    mustBeValidBucketName(id);
    mustBeValidBucketName(name);
    const fileSizeLimit = bucketFileSizeLimit(deps, body.file_size_limit);
    const allowedMimeTypes = mimeTypes(body.allowed_mime_types);
    await asCaller(deps, who, c, (client) => createBucket(client, { id, name, owner: who.userId, public: body.public === true, fileSizeLimit, allowedMimeTypes }), { onDuplicate: ERRORS.bucketAlreadyExists });
    return c.json({ name });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/bucket': {
    post: { tags, operationId: 'storage_create_bucket', summary: 'Create a bucket', security: security.serviceRole, requestBody: jsonBody(bucketBody), responses: { 200: json(obj({ name: str() })), ...errors } },
  },
};
