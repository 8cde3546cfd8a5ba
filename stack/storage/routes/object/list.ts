import type { OpenAPIV3 } from 'openapi-types';
import { arr, int, json, jsonBody, obj, ref, security, str } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { searchObjects } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { readJson } from '../body.js';
import { bucketParam, errors, tags } from '../openapi.js';
import { optionalInteger, optionalString, requiredString, sortBy } from '../validate.js';

/** POST /object/list/:bucket: one folder level under a prefix (storage.search, so only what the caller's policies show). */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/list/:bucket', resolveCaller(deps), named(OPERATIONS.listObjects, async (c) => {
    const body = await readJson(c);
    let prefix = requiredString(body, 'prefix');
    if (prefix.length > 0 && !prefix.endsWith('/')) prefix += '/';
    const limit = optionalInteger(body, 'limit', 1) ?? 100;
    const offset = optionalInteger(body, 'offset', 0) ?? 0;
    const sort = sortBy(body, ['name', 'updated_at', 'created_at', 'last_accessed_at'] as const);
    const column = sort.column ?? 'name';
    const order = sort.order ?? 'asc';
    const search = optionalString(body, 'search') ?? '';
    const levels = prefix.split('/').length;
    const rows = await asCaller(deps, callerOf(c), c, (client) =>
      searchObjects(client, { prefix, bucketId: c.req.param('bucket')!, limit, levels, offset, search, column, order }), { readOnly: true });
    return c.json(rows);
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/list/{bucket}': {
    post: {
      tags, operationId: 'storage_list', summary: 'List objects under a prefix', security: security.user, parameters: [bucketParam],
      requestBody: jsonBody(obj({ prefix: str(), limit: int(), offset: int(), search: str(), sortBy: obj({ column: str(), order: str(undefined, { enum: ['asc', 'desc'] }) }) }, ['prefix'])),
      responses: { 200: json(arr(ref('FileObject'))), ...errors },
    },
  },
};
