import { randomUUID } from 'node:crypto';
import { named, OPERATIONS } from '../operations.js';
import type { Hono } from 'hono';
import { asCaller, caller, type StorageDeps } from '../context.js';
import { ERRORS } from '../errors.js';
import { mustBeValidKey } from '../limits.js';
import { findBucket, lockKey, mustFindObject, type ObjectRow } from '../objects.js';
import { readJson } from './body.js';

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || !v) throw ERRORS.missingParameter(key);
  return v;
}

/** List, move, copy and remove: each one transaction as the caller, so RLS decides. */
export function manageRoutes(api: Hono, deps: StorageDeps): void {
  // storage.search() is SECURITY INVOKER: it lists only what the caller's SELECT policies show.
  api.post('/object/list/:bucket', named(OPERATIONS.listObjects, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    let prefix = typeof body.prefix === 'string' ? body.prefix : '';
    if (prefix.length > 0 && !prefix.endsWith('/')) prefix += '/';
    const limit = Number.isInteger(body.limit) ? Math.max(0, body.limit as number) : 100;
    const offset = Number.isInteger(body.offset) ? Math.max(0, body.offset as number) : 0;
    const sortBy = (body.sortBy ?? {}) as { column?: unknown; order?: unknown };
    const column = typeof sortBy.column === 'string' ? sortBy.column : 'name';
    const order = sortBy.order === 'desc' ? 'desc' : 'asc';
    const search = typeof body.search === 'string' ? body.search : '';
    const levels = prefix.split('/').length;
    const rows = await asCaller(deps, who, c, async (client) => {
      const res = await client.query(
        'select name, id, updated_at, created_at, last_accessed_at, metadata from storage.search($1, $2, $3, $4, $5, $6, $7, $8)',
        [prefix, c.req.param('bucket')!, limit, levels, offset, search, column, order],
      );
      return res.rows;
    }, { readOnly: true });
    return c.json(rows);
  }));

  // A move rewrites the row's bucket and name; the bytes stay where they are (keyed by version).
  api.post('/object/move', named(OPERATIONS.moveObject, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const bucketId = str(body, 'bucketId');
    const from = str(body, 'sourceKey');
    const to = str(body, 'destinationKey');
    const toBucket = typeof body.destinationBucket === 'string' && body.destinationBucket ? body.destinationBucket : bucketId;
    mustBeValidKey(to);
    if (bucketId === toBucket && from === to) return c.json({ message: 'Successfully moved' });
    await asCaller(deps, who, c, async (client) => {
      if (toBucket !== bucketId && !(await findBucket(client, toBucket))) throw ERRORS.noSuchBucket();
      await lockKey(client, toBucket, to);
      await mustFindObject(client, bucketId, from, 'for update');
      const res = await client.query(
        `update storage.objects set bucket_id = $3, name = $4, owner = coalesce($5::uuid, owner), owner_id = coalesce($5::text, owner_id)
          where bucket_id = $1 and name = $2`,
        [bucketId, from, toBucket, to, who.userId],
      );
      if (!res.rowCount) throw ERRORS.noSuchKey();
    });
    return c.json({ message: 'Successfully moved' });
  }));

  api.post('/object/copy', named(OPERATIONS.copyObject, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const bucketId = str(body, 'bucketId');
    const from = str(body, 'sourceKey');
    const to = str(body, 'destinationKey');
    const toBucket = typeof body.destinationBucket === 'string' && body.destinationBucket ? body.destinationBucket : bucketId;
    mustBeValidKey(to);
    const version = randomUUID();
    let copied = false;
    try {
      const id = await asCaller(deps, who, c, async (client) => {
        if (toBucket !== bucketId && !(await findBucket(client, toBucket))) throw ERRORS.noSuchBucket();
        const source: ObjectRow = await mustFindObject(client, bucketId, from, 'for share');
        await lockKey(client, toBucket, to);
        const newId = randomUUID();
        await client.query(
          `insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
           values ($1, $2, $3, $4::uuid, $4::text, $5, $6, $7)`,
          [newId, toBucket, to, who.userId, version, JSON.stringify({ ...source.metadata, lastModified: new Date().toISOString() }), source.user_metadata ? JSON.stringify(source.user_metadata) : null],
        );
        await deps.blobs.duplicate(source.version!, version);
        copied = true;
        return newId;
      });
      return c.json({ Id: id, Key: `${toBucket}/${to}` });
    } catch (err) {
      if (copied) await deps.blobs.remove(version);
      throw err;
    }
  }));

  api.delete('/object/:bucket', named(OPERATIONS.deleteObjects, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const prefixes = body.prefixes;
    if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.some((p) => typeof p !== 'string')) {
      throw ERRORS.invalidParameter('prefixes must be a non-empty array of strings');
    }
    const rows = await asCaller(deps, who, c, async (client) => {
      const res = await client.query<ObjectRow>(
        `delete from storage.objects where bucket_id = $1 and name = any($2::text[])
         returning id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at, last_accessed_at`,
        [c.req.param('bucket')!, prefixes],
      );
      return res.rows;
    });
    for (const r of rows) await deps.blobs.remove(r.version);
    return c.json(rows);
  }));

  api.delete('/object/:bucket/:path{.+}', named(OPERATIONS.deleteObject, async (c) => {
    const who = await caller(deps, c);
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    const row = await asCaller(deps, who, c, async (client) => {
      const found = await mustFindObject(client, bucketId, name, 'for update');
      const res = await client.query('delete from storage.objects where id = $1', [found.id]);
      if (!res.rowCount) throw ERRORS.noSuchKey();
      return found;
    });
    await deps.blobs.remove(row.version);
    return c.json({ message: 'Successfully deleted' });
  }));
}
