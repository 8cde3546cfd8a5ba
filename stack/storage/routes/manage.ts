import { randomUUID } from 'node:crypto';
import { named, OPERATIONS } from '../operations.js';
import type { Hono } from 'hono';
import { asCaller, asSuperuser, caller, type StorageDeps } from '../context.js';
import { ERRORS } from '../errors.js';
import { bucketRules, mustBeValidKey, mustFitBucket } from '../limits.js';
import { lockBucket, mustFindBucket, lockKey, lockKeys, mustFindObject, type ObjectRow } from '../objects.js';
import { isHeaderSafe, parseUserMetadata } from '../incoming.js';
import { writeObjectRow } from '../write.js';
import { readJson } from './body.js';
import { schemaError, optionalBoolean, optionalInteger, optionalObject, optionalString, requiredString, sortBy } from './validate.js';

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || !v) throw ERRORS.missingParameter(key);
  return v;
}

/** The destination bucket (NoSuchBucket when missing) and its limits, read as superuser as uploads read them; RLS on the object rows decides who may write there. */
async function destinationRules(deps: StorageDeps, bucketId: string) {
  return bucketRules(await asSuperuser(deps, (client) => mustFindBucket(client, bucketId)), deps.globalFileSizeLimit);
}

/** List, move, copy and remove: each one transaction as the caller, so RLS decides. */
export function manageRoutes(api: Hono, deps: StorageDeps): void {
  // storage.search() is SECURITY INVOKER: it lists only what the caller's SELECT policies show.
  api.post('/object/list/:bucket', named(OPERATIONS.listObjects, async (c) => {
    const who = await caller(deps, c);
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
    const rules = await destinationRules(deps, toBucket);
    await asCaller(deps, who, c, async (client) => {
      await lockKeys(client, [[bucketId, from], [toBucket, to]]);
      const source = await mustFindObject(client, bucketId, from, 'for update');
      mustFitBucket(rules, source.metadata?.mimetype ?? 'application/octet-stream', source.metadata?.size ?? 0);
      const res = await client.query(
        `update storage.objects set bucket_id = $3, name = $4, owner = coalesce($5::uuid, owner), owner_id = coalesce($5::text, owner_id)
          where bucket_id = $1 and name = $2`,
        [bucketId, from, toBucket, to, who.userId],
      );
      if (!res.rowCount) throw ERRORS.noSuchKey();
    });
    return c.json({ message: 'Successfully moved' });
  }));

  // As Storage's copyObject: `x-upsert: true` replaces an existing destination; `copyMetadata`
  // (default true) keeps the source's metadata, otherwise `metadata` (cacheControl, mimetype)
  // and the `x-metadata` header describe the copy.
  api.post('/object/copy', named(OPERATIONS.copyObject, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const bucketId = str(body, 'bucketId');
    const from = str(body, 'sourceKey');
    const to = str(body, 'destinationKey');
    const toBucket = typeof body.destinationBucket === 'string' && body.destinationBucket ? body.destinationBucket : bucketId;
    const copyMetadata = optionalBoolean(body, 'copyMetadata') ?? true;
    const fileMetadata = optionalObject(body, 'metadata') ?? {};
    const cacheControl = optionalString(fileMetadata, 'cacheControl', 'metadata');
    const mimetype = optionalString(fileMetadata, 'mimetype', 'metadata');
    if ([cacheControl, mimetype].some((v) => v !== undefined && !isHeaderSafe(v))) throw ERRORS.invalidParameter('metadata');
    const upsert = c.req.header('x-upsert') === 'true';
    mustBeValidKey(to);
    const version = randomUUID();
    const rules = await destinationRules(deps, toBucket);
    let copied = false;
    try {
      const result = await asCaller(deps, who, c, async (client) => {
        await lockKeys(client, [[bucketId, from], [toBucket, to]]);
        const source: ObjectRow = await mustFindObject(client, bucketId, from, 'for share');
        const metadata = { ...source.metadata!, lastModified: new Date().toISOString() };
        if (!copyMetadata) {
          if (cacheControl !== undefined) metadata.cacheControl = cacheControl;
          if (mimetype !== undefined) metadata.mimetype = mimetype;
        }
        mustFitBucket(rules, metadata.mimetype ?? 'application/octet-stream', metadata.size ?? 0);
        const userMetadata = copyMetadata ? source.user_metadata : parseUserMetadata(c.req.header('x-metadata'), true);
        const written = await writeObjectRow(client, { bucketId: toBucket, name: to, upsert, owner: who.userId, metadata, userMetadata }, version);
        await deps.blobs.duplicate(source.version!, version);
        copied = true;
        return written;
      });
      if (result.replaced && result.replaced !== version) await deps.blobs.remove(result.replaced);
      return c.json({ Id: result.id, Key: `${toBucket}/${to}` });
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
      throw schemaError('body/prefixes must be a non-empty array of strings');
    }
    const rows = await asCaller(deps, who, c, async (client) => {
      await lockBucket(client, c.req.param('bucket')!);
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
      await lockKey(client, bucketId, name);
      const found = await mustFindObject(client, bucketId, name, 'for update');
      const res = await client.query('delete from storage.objects where id = $1', [found.id]);
      if (!res.rowCount) throw ERRORS.noSuchKey();
      return found;
    });
    await deps.blobs.remove(row.version);
    return c.json({ message: 'Successfully deleted' });
  }));
}
