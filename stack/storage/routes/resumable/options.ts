import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import type { StorageApi } from '../../context.js';
import { named, OPERATIONS } from '../../operations.js';
import type { ResumableUploads } from '../../tus/server.js';
import { tags } from '../openapi.js';
import { uploadIdParam } from './uploads.js';

/** OPTIONS /upload/resumable[/:id]: the protocol's capabilities (version, extensions, maximum size), as tus answers them. */
export function mount(api: StorageApi, tus: ResumableUploads): void {
  api.options('/upload/resumable', named(OPERATIONS.tusOptions, (c) => tus.server.handleWeb(c.req.raw)));
  api.options('/upload/resumable/:id', named(OPERATIONS.tusOptions, (c) => tus.server.handleWeb(c.req.raw)));
}

const capabilities: OpenAPIV3.OperationObject = {
  tags, summary: 'The resumable protocol\'s capabilities (Tus-Version, Tus-Extension, Tus-Max-Size)', security: security.none,
  responses: { 204: { description: 'Capabilities in the headers' } },
};

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/upload/resumable': { options: { ...capabilities, operationId: 'storage_resumable_options' } },
  '/storage/v1/upload/resumable/{id}': { options: { ...capabilities, operationId: 'storage_resumable_upload_options', parameters: [uploadIdParam] } },
};
