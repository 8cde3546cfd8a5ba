import { Metadata } from '@tus/server';
import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { ERRORS } from '../../errors.js';
import { mustBeValidBucketName, mustBeValidKey } from '../../limits.js';
import { named, OPERATIONS } from '../../operations.js';
import type { ResumableUploads } from '../../tus/server.js';
import { tags } from '../openapi.js';
import { admit, refuse, tusHeaders, tusRefusals } from './uploads.js';

/**
 * POST /upload/resumable: creates a resumable upload (tus 1.0, as tus-js-client and Uppy speak
 * it). Upload-Metadata names the object (`bucketName`, `objectName`, `contentType`,
 * `cacheControl`, `metadata`); a missing or bad JWT is answered as every storage route answers it.
 */
export function mount(api: StorageApi, deps: StorageDeps, tus: ResumableUploads): void {
  api.post('/upload/resumable', resolveCaller(deps), named(OPERATIONS.tusCreateUpload, async (c) => {
    const who = callerOf(c);
    let meta: Record<string, string | null>;
    try {
      const header = c.req.header('upload-metadata');
      meta = header ? Metadata.parse(header) : {};
    } catch {
      return refuse(ERRORS.invalidParameter('upload-metadata'));
    }
    try {
      const bucketId = meta.bucketName ?? '';
      const name = meta.objectName ?? '';
      mustBeValidBucketName(bucketId);
      mustBeValidKey(name);
      return await admit(deps, c, tus, who, { bucketId, name, contentType: meta.contentType ?? null });
    } catch (err) {
      return refuse(err);
    }
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/upload/resumable': {
    post: {
      tags, operationId: 'storage_resumable_create', summary: 'Start a resumable upload (tus 1.0)', security: security.user,
      parameters: [
        ...tusHeaders,
        { name: 'Upload-Length', in: 'header', schema: { type: 'integer' }, description: 'The whole upload\'s size in bytes' },
        { name: 'Upload-Metadata', in: 'header', required: true, schema: { type: 'string' }, description: '`bucketName`, `objectName`, `contentType`, `cacheControl`, `metadata`: each key and its base64 value' },
        { name: 'x-upsert', in: 'header', schema: { type: 'string', enum: ['true', 'false'] }, description: 'Overwrite an existing object' },
      ],
      responses: { 201: { description: 'Created: `Location` is the upload\'s URL' }, ...tusRefusals },
    },
  },
};
