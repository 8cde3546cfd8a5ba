import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import type { StorageApi } from '../../context.js';
import { ERRORS } from '../../errors.js';
import { bucketParam, errors, tags } from '../openapi.js';

/** POST /object/:bucket: an upload without a key, refused as Storage refuses it (InvalidKey). */
export function mount(api: StorageApi): void {
  api.post('/object/:bucket', () => {
    throw ERRORS.invalidKey('');
  });
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/{bucket}': {
    post: { tags, operationId: 'storage_upload_without_key', summary: 'Refused: an upload must name its key (InvalidKey)', security: security.user, parameters: [bucketParam], responses: errors },
  },
};
