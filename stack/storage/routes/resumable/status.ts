import type { MiddlewareHandler } from 'hono';
import type { OpenAPIV3 } from 'openapi-types';
import { security } from '../../../docs/schema-helpers.js';
import { resolveCaller, type StorageApi, type StorageDeps, type StorageEnv } from '../../context.js';
import { OPERATIONS } from '../../operations.js';
import type { ResumableUploads } from '../../tus/server.js';
import { tags } from '../openapi.js';
import { existingUpload, tusHeaders, tusRefusals, uploadIdParam } from './uploads.js';

/**
 * HEAD /upload/resumable/:id: how far an upload has come (Upload-Offset). Hono routes HEAD
 * through GET routes; a GET (which would read a partial upload's bytes) is no route here, so it
 * goes on to the 404, and only a HEAD resolves the caller.
 */
export function mount(api: StorageApi, deps: StorageDeps, tus: ResumableUploads): void {
  const withCaller = resolveCaller(deps);
  const head = existingUpload(deps, tus, OPERATIONS.tusGetUpload);
  const headOnly: MiddlewareHandler<StorageEnv> = async (c, next) => {
    if (c.req.method !== 'HEAD') return next();
    let res: Response | undefined;
    await withCaller(c, async () => {
      res = await head(c);
    });
    return res;
  };
  api.get('/upload/resumable/:id', headOnly);
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/upload/resumable/{id}': {
    head: {
      tags, operationId: 'storage_resumable_status', summary: 'How much of a resumable upload has arrived (Upload-Offset)', security: security.user,
      parameters: [uploadIdParam, ...tusHeaders], responses: { 200: { description: 'Upload-Offset and Upload-Length in the headers' }, ...tusRefusals },
    },
  },
};
