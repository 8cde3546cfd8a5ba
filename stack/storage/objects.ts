import type pg from 'pg';
import { ERRORS } from './errors.js';

/** The `metadata` column as Storage fills it for every stored version. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

export interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  version: string | null;
  metadata: ObjectMetadata | null;
  user_metadata: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  last_accessed_at: Date;
}

export interface BucketRow {
  id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  public: boolean;
  file_size_limit: string | number | null;
  allowed_mime_types: string[] | null;
  type: string;
  created_at: Date;
  updated_at: Date;
}

const OBJECT_COLUMNS = 'id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at, last_accessed_at';
const JOINED_OBJECT_COLUMNS = OBJECT_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ');

export async function findBucket(client: pg.ClientBase, id: string): Promise<BucketRow | null> {
  const { rows } = await client.query<BucketRow>(
    `select id, name, owner, owner_id, public, file_size_limit, allowed_mime_types, type, created_at, updated_at
       from storage.buckets where id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function mustFindBucket(client: pg.ClientBase, id: string): Promise<BucketRow> {
  const bucket = await findBucket(client, id);
  if (!bucket) throw ERRORS.noSuchBucket();
  return bucket;
}

/**
 * A public bucket's object in one statement (the public URLs' hot path): null bucket when the
 * bucket is missing or not public, null object when the bucket has no such key.
 */
export async function findPublicObject(client: pg.ClientBase, bucketId: string, name: string): Promise<{ bucket: boolean; object: ObjectRow | null }> {
  const { rows } = await client.query<ObjectRow & { found: boolean }>(
    `select o.id is not null as found, ${JOINED_OBJECT_COLUMNS}
       from storage.buckets b
       left join storage.objects o on o.bucket_id = b.id and o.name = $2
      where b.id = $1 and b.public`,
    [bucketId, name],
  );
  if (!rows[0]) return { bucket: false, object: null };
  const { found, ...object } = rows[0];
  return { bucket: true, object: found ? object : null };
}

/** One object as the client may see it (RLS applies when `client` runs as their role). */
export async function findObject(client: pg.ClientBase, bucketId: string, name: string, lock: '' | 'for update' | 'for share' = ''): Promise<ObjectRow | null> {
  const { rows } = await client.query<ObjectRow>(
    `select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2 ${lock}`,
    [bucketId, name],
  );
  return rows[0] ?? null;
}

export async function mustFindObject(client: pg.ClientBase, bucketId: string, name: string, lock: '' | 'for update' | 'for share' = ''): Promise<ObjectRow> {
  const row = await findObject(client, bucketId, name, lock);
  if (!row) throw ERRORS.noSuchKey();
  return row;
}

/** Serialises writers of one key, as Storage's waitObjectLock does. */
export async function lockKey(client: pg.ClientBase, bucketId: string, name: string): Promise<void> {
  await lockKeys(client, [[bucketId, name]]);
}

/**
 * Locks every key a write touches before it touches any row, always in the same order: first
 * each bucket's shared lock, then the keys' own (by lock id). A move or copy of a to b racing
 * one of b to a then waits for the other instead of deadlocking (which Postgres would end
 * with an error).
 */
export async function lockKeys(client: pg.ClientBase, keys: Array<[bucketId: string, name: string]>): Promise<void> {
  await client.query(
    `select pg_advisory_xact_lock_shared(id)
       from (select distinct hashtextextended(b, 0) as id from unnest($1::text[]) b order by id offset 0) ordered`,
    [keys.map(([bucketId]) => `storage-bucket:${bucketId}`)],
  );
  await client.query(
    `select pg_advisory_xact_lock(id)
       from (select distinct hashtextextended(k, 0) as id from unnest($1::text[]) k order by id offset 0) ordered`,
    [keys.map(([bucketId, name]) => `storage:${bucketId}/${name}`)],
  );
}

/**
 * Waits out every write in flight in the bucket and holds new ones back (one lock, however many
 * keys): for writes over many keys at once, which would otherwise take their rows in an order
 * of their own and could deadlock with a copy or move.
 */
export async function lockBucket(client: pg.ClientBase, bucketId: string): Promise<void> {
  await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`storage-bucket:${bucketId}`]);
}

export function metadataFor(size: number, eTag: string, mimetype: string, cacheControl: string): ObjectMetadata {
  return {
    eTag,
    size,
    mimetype,
    cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: size,
    httpStatusCode: 200,
  };
}
