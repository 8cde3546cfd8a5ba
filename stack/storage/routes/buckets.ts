import type { Hono } from 'hono';
import { named, OPERATIONS } from '../operations.js';
import { asCaller, caller, type StorageDeps } from '../context.js';
import { ERRORS } from '../errors.js';
import { mustBeValidBucketName, parseFileSize } from '../limits.js';
import { findBucket, lockBucket, type BucketRow } from '../objects.js';
import { readJson } from './body.js';
import { schemaError } from './validate.js';

const BUCKET_COLUMNS = 'id, name, owner, owner_id, public, file_size_limit, allowed_mime_types, type, created_at, updated_at';

/**
 * A bucket as Storage sends it: the columns its route selects, in its response schema's order,
 * a null owner as "" (the schema's string type, as Fastify's serializer writes null).
 */
function renderBucket(b: BucketRow, withType: boolean) {
  return {
    id: b.id,
    name: b.name,
    owner: b.owner ?? '',
    public: b.public,
    ...(withType ? { type: b.type } : {}),
    file_size_limit: b.file_size_limit === null ? null : Number(b.file_size_limit),
    allowed_mime_types: b.allowed_mime_types,
    created_at: b.created_at,
    updated_at: b.updated_at,
  };
}

/** A bucket's own limit may not be above `[storage] file_size_limit` (Storage's validateMaxSizeLimit). */
function bucketFileSizeLimit(deps: StorageDeps, value: unknown): number | null {
  const limit = parseFileSize(value);
  if (limit !== null && limit > deps.globalFileSizeLimit) throw ERRORS.fileSizeLimitAboveGlobal();
  return limit;
}

function mimeTypes(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !/^[\w.+-]+\/[\w.+*-]+$/.test(v))) {
    throw schemaError('body/allowed_mime_types must be an array of MIME types');
  }
  return value as string[];
}

/** GET /bucket's query string as Storage's schema checks it (integers coerced from text). */
function queryInteger(q: Record<string, string>, key: string, minimum: number): number | null {
  const v = q[key];
  if (v === undefined) return null;
  if (!/^-?\d+$/.test(v.trim())) throw schemaError(`querystring/${key} must be integer`);
  const n = Number(v);
  if (n < minimum) throw schemaError(`querystring/${key} must be >= ${minimum}`);
  return n;
}

function queryEnum(q: Record<string, string>, key: string, allowed: string[]): string | null {
  const v = q[key];
  if (v === undefined) return null;
  if (!allowed.includes(v)) throw schemaError(`querystring/${key} must be equal to one of the allowed values`);
  return v;
}

/**
 * /bucket: buckets are rows of storage.buckets, managed through RLS as the caller
 * (service_role bypasses it; other roles need policies, as on Supabase).
 */
export function bucketRoutes(api: Hono, deps: StorageDeps): void {
  api.get('/bucket', named(OPERATIONS.listBuckets, async (c) => {
    const who = await caller(deps, c);
    const q = c.req.query();
    const limit = queryInteger(q, 'limit', 1);
    const offset = queryInteger(q, 'offset', 0) ?? 0;
    const column = queryEnum(q, 'sortColumn', ['id', 'name', 'created_at', 'updated_at']) ?? 'name';
    const order = queryEnum(q, 'sortOrder', ['asc', 'desc']) ?? 'asc';
    const rows = await asCaller(deps, who, c, async (client) => {
      const params: unknown[] = [q.search ? `%${q.search}%` : null, offset];
      const res = await client.query<BucketRow>(
        `select ${BUCKET_COLUMNS} from storage.buckets
          where ($1::text is null or name ilike $1)
          order by ${column} ${order} offset $2 ${limit ? `limit ${Math.max(0, Math.floor(limit))}` : ''}`,
        params,
      );
      return res.rows;
    }, { readOnly: true });
    return c.json(rows.map((b) => renderBucket(b, true)));
  }));

  api.get('/bucket/:id', named(OPERATIONS.getBucket, async (c) => {
    const who = await caller(deps, c);
    const bucket = await asCaller(deps, who, c, (client) => findBucket(client, c.req.param('id')!), { readOnly: true });
    if (!bucket) throw ERRORS.noSuchBucket();
    return c.json(renderBucket(bucket, false));
  }));

  api.post('/bucket', named(OPERATIONS.createBucket, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const name = typeof body.name === 'string' ? body.name : '';
    if (!name) throw ERRORS.missingParameter('name');
    const id = typeof body.id === 'string' && body.id ? body.id : name;
    mustBeValidBucketName(id);
    mustBeValidBucketName(name);
    const limit = bucketFileSizeLimit(deps, body.file_size_limit);
    const types = mimeTypes(body.allowed_mime_types);
    await asCaller(deps, who, c, (client) =>
      client.query(
        `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        [id, name, who.userId, who.userId, body.public === true, limit, types],
      ), { onDuplicate: ERRORS.bucketAlreadyExists });
    return c.json({ name });
  }));

  api.put('/bucket/:id', named(OPERATIONS.updateBucket, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const sets: string[] = [];
    const params: unknown[] = [c.req.param('id')!];
    if (body.public !== undefined) params.push(body.public === true), sets.push(`public = $${params.length}`);
    if (body.file_size_limit !== undefined) params.push(bucketFileSizeLimit(deps, body.file_size_limit)), sets.push(`file_size_limit = $${params.length}`);
    if (body.allowed_mime_types !== undefined) params.push(mimeTypes(body.allowed_mime_types)), sets.push(`allowed_mime_types = $${params.length}`);
    const count = await asCaller(deps, who, c, async (client) => {
      if (!sets.length) return (await client.query('select 1 from storage.buckets where id = $1', params)).rowCount;
      return (await client.query(`update storage.buckets set ${sets.join(', ')}, updated_at = now() where id = $1`, params)).rowCount;
    });
    if (!count) throw ERRORS.noSuchBucket();
    return c.json({ message: 'Successfully updated' });
  }));

  api.post('/bucket/:id/empty', named(OPERATIONS.emptyBucket, async (c) => {
    const who = await caller(deps, c);
    // Storage serves emptying to the service role only.
    if (who.role !== 'service_role') throw ERRORS.accessDenied('Access denied: Invalid role');
    const id = c.req.param('id')!;
    const versions = await asCaller(deps, who, c, async (client) => {
      if (!(await findBucket(client, id))) throw ERRORS.noSuchBucket();
      await lockBucket(client, id);
      const res = await client.query<{ version: string | null }>('delete from storage.objects where bucket_id = $1 returning version', [id]);
      return res.rows.map((r) => r.version);
    });
    for (const v of versions) await deps.blobs.remove(v);
    // Storage queues the deletion; here it is done by now, but the answer is Storage's.
    return c.json({ message: 'Empty bucket has been queued. Completion may take up to an hour.' });
  }));

  api.delete('/bucket/:id', named(OPERATIONS.deleteBucket, async (c) => {
    const who = await caller(deps, c);
    const id = c.req.param('id')!;
    await asCaller(deps, who, c, async (client) => {
      const objects = await client.query('select 1 from storage.objects where bucket_id = $1 limit 1', [id]);
      if (objects.rowCount) throw ERRORS.bucketNotEmpty();
      const res = await client.query('delete from storage.buckets where id = $1', [id]);
      if (!res.rowCount) throw ERRORS.noSuchBucket();
    });
    return c.json({ message: 'Successfully deleted' });
  }));
}
