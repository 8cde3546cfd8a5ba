import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { OPERATIONS } from '../../operations.js';
import type { ResumableUploads } from '../../tus/server.js';
import { binary, tags } from '../openapi.js';
import { existingUpload, tusHeaders, tusRefusals, uploadIdParam } from './uploads.js';

/** PATCH /upload/resumable/:id: the next bytes at Upload-Offset; the last ones write the object (RLS decides again). */
export function mount(api: StorageApi, deps: StorageDeps, tus: ResumableUploads): void {
  api.patch('/upload/resumable/:id', resolveCaller(deps), existingUpload(deps, tus, OPERATIONS.tusUploadPart));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/upload/resumable/{id}': {
    patch: {
      tags, operationId: 'storage_resumable_upload_part', summary: 'Send the next part of a resumable upload', security: security.user,
      parameters: [uploadIdParam, ...tusHeaders, { name: 'Upload-Offset', in: 'header', required: true, schema: { type: 'integer' } }],
      requestBody: { required: true, content: { 'application/offset+octet-stream': { schema: binary } } },
      responses: { 204: { description: 'Accepted: the new Upload-Offset in the headers' }, ...tusRefusals },
    },
  },
};
