import type { OpenAPIV3 } from 'openapi-types';
import { arr, json, jsonBody, obj, ref, security, str } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { deleteObjects } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { readJson } from '../body.js';
import { bucketParam, errors, tags } from '../openapi.js';
import { schemaError } from '../validate.js';

/** DELETE /object/:bucket with `prefixes`: the named objects the caller may delete; answers their rows. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.delete('/object/:bucket', resolveCaller(deps), named(OPERATIONS.deleteObjects, async (c) => {
    const body = await readJson(c);
    const prefixes = body.prefixes;
    if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => typeof p !== 'string')) {
      throw schemaError('body/prefixes must be a non-empty array of strings');
    }
    const rows = await asCaller(deps, callerOf(c), c, (client) => deleteObjects(client, c.req.param('bucket')!, prefixes as string[]));
    for (const r of rows) await deps.blobs.remove(r.version);
    return c.json(rows);
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/{bucket}': {
    delete: {
      tags, operationId: 'storage_remove', summary: 'Remove objects', security: security.user, parameters: [bucketParam],
      requestBody: jsonBody(obj({ prefixes: arr(str()) }, ['prefixes'])), responses: { 200: json(arr(ref('FileObject'))), ...errors },
    },
  },
};
