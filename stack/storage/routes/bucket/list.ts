import type { OpenAPIV3 } from 'openapi-types';
import { arr, json, query, ref, str, int, security } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { listBuckets } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { errors, tags } from '../openapi.js';
import { schemaError } from '../validate.js';
import { renderBucket } from './fields.js';

/** GET /bucket's query string as Storage's schema checks it (integers coerced from text). */
function queryInteger(q: Record<string, string>, key: string, minimum: number): number | null {
  const v = q[key];
  if (v === undefined) return null;
  if (!/^-?\d+$/.test(v.trim())) throw schemaError(`querystring/${key} must be integer`);
  const n = Number(v);
  if (n < minimum) throw schemaError(`querystring/${key} must be >= ${minimum}`);
  return n;
}

function queryEnum<T extends string>(q: Record<string, string>, key: string, allowed: readonly T[]): T | null {
  const v = q[key];
  if (v === undefined) return null;
  if (!(allowed as readonly string[]).includes(v)) throw schemaError(`querystring/${key} must be equal to one of the allowed values`);
  return v as T;
}

/** GET /bucket: the buckets the caller's policies show (service_role: all). */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.get('/bucket', resolveCaller(deps), named(OPERATIONS.listBuckets, async (c) => {
    const q = c.req.query();
    const limit = queryInteger(q, 'limit', 1);
    const offset = queryInteger(q, 'offset', 0) ?? 0;
    const column = queryEnum(q, 'sortColumn', ['id', 'name', 'created_at', 'updated_at'] as const) ?? 'name';
    const order = queryEnum(q, 'sortOrder', ['asc', 'desc'] as const) ?? 'asc';
    const rows = await asCaller(deps, callerOf(c), c, (client) => listBuckets(client, { search: q.search || null, offset, limit, column, order }), { readOnly: true });
    return c.json(rows.map((b) => renderBucket(b, true)));
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/bucket': {
    get: {
      tags, operationId: 'storage_list_buckets', summary: 'List buckets', security: security.user,
      parameters: [query('limit', int()), query('offset', int()), query('search', str()), query('sortColumn', str(undefined, { enum: ['id', 'name', 'created_at', 'updated_at'] })), query('sortOrder', str(undefined, { enum: ['asc', 'desc'] }))],
      responses: { 200: json(arr(ref('Bucket'))), ...errors },
    },
  },
};
