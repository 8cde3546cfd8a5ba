import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { OPERATIONS } from '../../operations.js';
import type { ResumableUploads } from '../../tus/server.js';
import { tags } from '../openapi.js';
import { existingUpload, tusHeaders, tusRefusals, uploadIdParam } from './uploads.js';

/** DELETE /upload/resumable/:id: abandons an unfinished upload (a finished one is an object now, and stays). */
export function mount(api: StorageApi, deps: StorageDeps, tus: ResumableUploads): void {
  api.delete('/upload/resumable/:id', resolveCaller(deps), existingUpload(deps, tus, OPERATIONS.tusDeleteUpload));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/upload/resumable/{id}': {
    delete: {
      tags, operationId: 'storage_resumable_cancel', summary: 'Abandon an unfinished resumable upload', security: security.user,
      parameters: [uploadIdParam, ...tusHeaders], responses: { 204: { description: 'Removed' }, ...tusRefusals },
    },
  },
};
