import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withRequestScope, type RequestIdentity } from '../db/request-scope.js';
import { transaction } from '../db/transaction.js';
import { ERRORS, fromDatabaseError, type StorageError } from './errors.js';
import type { BucketRow, ObjectMetadata, ObjectRow } from './objects.js';

/**
 * Every statement Storage runs, by name (as supabase/storage's database/knex.ts): routes and
 * the modules under them call these and write no SQL. Each takes the transaction's client,
 * which `callerTransaction` (RLS as the caller) or `asSuperuser` hand out.
 */

type Lock = '' | 'for update' | 'for share';

const OBJECT_COLUMNS = 'id, bucket_id, name, owner, owner_id, version, metadata, user_metadata, created_at, updated_at, last_accessed_at';
const BUCKET_COLUMNS = 'id, name, owner, owner_id, public, file_size_limit, allowed_mime_types, type, created_at, updated_at';

// ---- transactions ----------------------------------------------------------------------

/**
 * One transaction as the caller (role + claims, as withRequestScope sets them) with Storage's
 * `storage.operation` for this request set too, so policies can read storage.operation().
 * Database errors come back as Storage's.
 */
export async function callerTransaction<T>(
  pool: pg.Pool,
  who: RequestIdentity,
  operation: string,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: { readOnly?: boolean; rollback?: boolean; onDuplicate?: () => StorageError } = {},
): Promise<T> {
  try {
    // The operation is set with the role and claims, in the same round trip as BEGIN.
    return await withRequestScope(pool, { ...who, settings: { ...who.settings, 'storage.operation': operation } }, fn, options);
  } catch (err) {
    throw fromDatabaseError(err, options.onDuplicate);
  }
}

/** As Storage's superuser, outside a transaction (signed URLs, public buckets, bucket limits). */
export async function asSuperuser<T>(pools: { adminPool: pg.Pool }, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pools.adminPool.connect();
  try {
    return await fn(client);
  } catch (err) {
    throw fromDatabaseError(err);
  } finally {
    client.release();
  }
}

/** One transaction as Storage's superuser (an upload through a signed URL). Errors are left as Postgres raised them. */
export function superuserTransaction<T>(pools: { adminPool: pg.Pool }, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return transaction(pools.adminPool, fn);
}

// ---- buckets ---------------------------------------------------------------------------

export async function findBucket(client: pg.ClientBase, id: string): Promise<BucketRow | null> {
  const { rows } = await client.query<BucketRow>(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [id]);
  return rows[0] ?? null;
}

export async function mustFindBucket(client: pg.ClientBase, id: string): Promise<BucketRow> {
  const bucket = await findBucket(client, id);
  if (!bucket) throw ERRORS.noSuchBucket();
  return bucket;
}

export interface BucketListing {
  search: string | null;
  offset: number;
  limit: number | null;
  column: 'id' | 'name' | 'created_at' | 'updated_at';
  order: 'asc' | 'desc';
}

export async function listBuckets(client: pg.ClientBase, q: BucketListing): Promise<BucketRow[]> {
  // column and order are checked against their only values by the route; limit is an integer
  const { rows } = await client.query<BucketRow>(
    `select ${BUCKET_COLUMNS} from storage.buckets
      where ($1::text is null or name ilike $1)
      order by ${q.column} ${q.order} offset $2 ${q.limit ? `limit ${Math.max(0, Math.floor(q.limit))}` : ''}`,
    [q.search ? `%${q.search}%` : null, q.offset],
  );
  return rows;
}

export interface NewBucket {
  id: string;
  name: string;
  owner: string | null;
  public: boolean;
  fileSizeLimit: number | null;
  allowedMimeTypes: string[] | null;
}

export async function createBucket(client: pg.ClientBase, b: NewBucket): Promise<void> {
  await client.query(
    `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [b.id, b.name, b.owner, b.owner, b.public, b.fileSizeLimit, b.allowedMimeTypes],
  );
}

export interface BucketChanges {
  public?: boolean;
  fileSizeLimit?: number | null;
  allowedMimeTypes?: string[] | null;
}

/** Applies the changes given; false when no such bucket is visible. */
export async function updateBucket(client: pg.ClientBase, id: string, changes: BucketChanges): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (changes.public !== undefined) set('public', changes.public);
  if (changes.fileSizeLimit !== undefined) set('file_size_limit', changes.fileSizeLimit);
  if (changes.allowedMimeTypes !== undefined) set('allowed_mime_types', changes.allowedMimeTypes);
  const res = sets.length
    ? await client.query(`update storage.buckets set ${sets.join(', ')}, updated_at = now() where id = $1`, params)
    : await client.query('select 1 from storage.buckets where id = $1', params);
  return Boolean(res.rowCount);
}

/** Removes every object of the bucket (after writes in flight); returns their versions, whose files go next. */
export async function emptyBucket(client: pg.ClientBase, id: string): Promise<Array<string | null>> {
  if (!(await findBucket(client, id))) throw ERRORS.noSuchBucket();
  await lockBucket(client, id);
  const res = await client.query<{ version: string | null }>('delete from storage.objects where bucket_id = $1 returning version', [id]);
  return res.rows.map((r) => r.version);
}

/** Deletes an empty bucket: BucketNotEmpty while an object is left, NoSuchBucket when none is visible. */
export async function deleteBucket(client: pg.ClientBase, id: string): Promise<void> {
  const objects = await client.query('select 1 from storage.objects where bucket_id = $1 limit 1', [id]);
  if (objects.rowCount) throw ERRORS.bucketNotEmpty();
  const res = await client.query('delete from storage.buckets where id = $1', [id]);
  if (!res.rowCount) throw ERRORS.noSuchBucket();
}

/** A `[storage.buckets.<name>]` of config.toml, created or brought in line with it. */
export async function upsertConfigBucket(pool: pg.Pool, b: { name: string; public: boolean; fileSizeLimit: number | null; allowedMimeTypes: string[] | null }): Promise<void> {
  await pool.query(
    `insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
     values ($1, $1, $2, $3, $4)
     on conflict (id) do update
       set public = excluded.public, file_size_limit = excluded.file_size_limit,
           allowed_mime_types = excluded.allowed_mime_types, updated_at = now()`,
    [b.name, b.public, b.fileSizeLimit, b.allowedMimeTypes],
  );
}

/** The health check: storage's tables answer. */
export async function ping(pool: pg.Pool): Promise<void> {
  await pool.query('select 1 from storage.buckets limit 1');
}

// ---- objects ---------------------------------------------------------------------------

const JOINED_OBJECT_COLUMNS = OBJECT_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ');

const PUBLIC_OBJECT = `select o.id is not null as found, ${JOINED_OBJECT_COLUMNS}
     from storage.buckets b
     left join storage.objects o on o.bucket_id = b.id and o.name = $2
    where b.id = $1 and b.public`;

/**
 * A public bucket's object in one statement (the public URLs' hot path): `bucket` false when the
 * bucket is missing or not public, `object` null when the bucket has no such key.
 */
export async function findPublicObject(client: pg.ClientBase, bucketId: string, name: string): Promise<{ bucket: boolean; object: ObjectRow | null }> {
  // Named, so each connection parses and plans it once rather than on every public read.
  const { rows } = await client.query<ObjectRow & { found: boolean }>({ name: 'storage_public_object', text: PUBLIC_OBJECT, values: [bucketId, name] });
  if (!rows[0]) return { bucket: false, object: null };
  const { found, ...object } = rows[0];
  return { bucket: true, object: found ? object : null };
}

/** One object as the client may see it (RLS applies when `client` runs as their role). */
export async function findObject(client: pg.ClientBase, bucketId: string, name: string, lock: Lock = ''): Promise<ObjectRow | null> {
  const { rows } = await client.query<ObjectRow>(`select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2 ${lock}`, [bucketId, name]);
  return rows[0] ?? null;
}

export async function mustFindObject(client: pg.ClientBase, bucketId: string, name: string, lock: Lock = ''): Promise<ObjectRow> {
  const row = await findObject(client, bucketId, name, lock);
  if (!row) throw ERRORS.noSuchKey();
  return row;
}

/** Which of `names` the caller can see in the bucket. */
export async function visibleObjectNames(client: pg.ClientBase, bucketId: string, names: string[]): Promise<Set<string>> {
  const res = await client.query<{ name: string }>('select name from storage.objects where bucket_id = $1 and name = any($2::text[])', [bucketId, names]);
  return new Set(res.rows.map((r) => r.name));
}

/** Which of the stored versions still have a row (the rest are orphaned files). */
export async function existingVersions(pool: pg.Pool, versions: string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ version: string }>('select version from storage.objects where version = any($1::text[])', [versions]);
  return new Set(rows.map((r) => r.version));
}

export interface ObjectWrite {
  bucketId: string;
  name: string;
  upsert: boolean;
  owner: string | null;
  metadata: ObjectMetadata;
  userMetadata: Record<string, unknown> | null;
}

/**
 * The row a write would store, inserted to see whether RLS lets the caller write it (the caller
 * rolls back): no key locks and no read of the version it would replace, which only a write
 * that keeps its row needs.
 */
export async function testObjectWrite(client: pg.ClientBase, w: ObjectWrite): Promise<void> {
  await client.query(
    `insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
     values ($1, $2, $3, $4, $5, $6, $7, $8)${w.upsert ? UPSERT_TAIL : ''}`,
    [randomUUID(), w.bucketId, w.name, w.owner, w.owner, randomUUID(), JSON.stringify(w.metadata), w.userMetadata ? JSON.stringify(w.userMetadata) : null],
  );
}

const UPSERT_TAIL = `
     on conflict (bucket_id, name) do update
       set owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
           metadata = excluded.metadata, user_metadata = excluded.user_metadata, last_accessed_at = now()`;

/**
 * Inserts (or with `upsert`, inserts or replaces) the row for a new version. Written as the
 * caller, so RLS decides: insert needs an INSERT policy; upsert also SELECT and UPDATE, as on
 * Supabase. Returns the object id and the version it replaced.
 */
export async function upsertObject(client: pg.ClientBase, w: ObjectWrite, version: string): Promise<{ id: string; replaced: string | null }> {
  await lockKey(client, w.bucketId, w.name);
  let replaced: string | null = null;
  if (w.upsert) {
    const prev = await client.query<{ version: string | null }>('select version from storage.objects where bucket_id = $1 and name = $2 for update', [w.bucketId, w.name]);
    replaced = prev.rows[0]?.version ?? null;
  }
  const id = randomUUID();
  const values = [id, w.bucketId, w.name, w.owner, w.owner, version, JSON.stringify(w.metadata), w.userMetadata ? JSON.stringify(w.userMetadata) : null];
  if (!w.upsert) {
    await client.query(
      `insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      values,
    );
    return { id, replaced: null };
  }
  const { rows } = await client.query<{ id: string }>(
    `insert into storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
     values ($1, $2, $3, $4, $5, $6, $7, $8)${UPSERT_TAIL}
     returning id`,
    values,
  );
  return { id: rows[0].id, replaced };
}

/** Renames a row (the bytes stay, keyed by version); a signed-in mover becomes its owner. */
export async function moveObject(client: pg.ClientBase, from: { bucketId: string; name: string }, to: { bucketId: string; name: string }, owner: string | null): Promise<void> {
  const res = await client.query(
    `update storage.objects set bucket_id = $3, name = $4, owner = coalesce($5::uuid, owner), owner_id = coalesce($5::text, owner_id)
      where bucket_id = $1 and name = $2`,
    [from.bucketId, from.name, to.bucketId, to.name, owner],
  );
  if (!res.rowCount) throw ERRORS.noSuchKey();
}

/** Deletes one object the caller can see (after writes of the key in flight); returns its row. */
export async function deleteObject(client: pg.ClientBase, bucketId: string, name: string): Promise<ObjectRow> {
  await lockKey(client, bucketId, name);
  const found = await mustFindObject(client, bucketId, name, 'for update');
  const res = await client.query('delete from storage.objects where id = $1', [found.id]);
  if (!res.rowCount) throw ERRORS.noSuchKey();
  return found;
}

/** Deletes the named objects the caller can delete; returns their rows. */
export async function deleteObjects(client: pg.ClientBase, bucketId: string, names: string[]): Promise<ObjectRow[]> {
  await lockBucket(client, bucketId);
  const res = await client.query<ObjectRow>(`delete from storage.objects where bucket_id = $1 and name = any($2::text[]) returning ${OBJECT_COLUMNS}`, [bucketId, names]);
  return res.rows;
}

export interface SearchRequest {
  prefix: string;
  bucketId: string;
  limit: number;
  levels: number;
  offset: number;
  search: string;
  column: string;
  order: string;
}

/** storage.search() (SECURITY INVOKER: only what the caller's SELECT policies show), as Storage's v1 list. */
export async function searchObjects(client: pg.ClientBase, s: SearchRequest): Promise<Record<string, unknown>[]> {
  const res = await client.query(
    'select name, id, updated_at, created_at, last_accessed_at, metadata from storage.search($1, $2, $3, $4, $5, $6, $7, $8)',
    [s.prefix, s.bucketId, s.limit, s.levels, s.offset, s.search, s.column, s.order],
  );
  return res.rows;
}

/** One entry of a v2 listing: an object, or (id null) a folder. */
export interface ListEntry {
  id: string | null;
  name: string;
  metadata: unknown;
  updated_at: Date | null;
  created_at: Date | null;
  last_accessed_at: Date | null;
  /** the sort column's value to the microsecond, for the next page's cursor (not sent to the client) */
  sort_after?: string | null;
}

export interface ListV2Request {
  bucketId: string;
  prefix: string;
  /** rows to read: one more than the page, to know whether a next page exists */
  take: number;
  delimited: boolean;
  order: 'asc' | 'desc';
  /** a date column to sort by before the name; null sorts by name alone */
  column: 'updated_at' | 'created_at' | null;
  startAfter: string | null;
  sortColumnAfter: string | null;
}

/** Storage's listObjectsV2 over the keys under a prefix, in key (or date, then key) order, after a cursor. */
export async function listObjectsV2(client: pg.ClientBase, q: ListV2Request): Promise<ListEntry[]> {
  const { column, order } = q;
  const cmp = order === 'desc' ? '<' : '>';
  // Postgres's left() and substr() count characters, not UTF-16 units
  const params: unknown[] = [q.bucketId, q.prefix, [...q.prefix].length, q.take, q.startAfter];
  if (column) params.push(q.sortColumnAfter);
  const after = column
    ? `and ($6::timestamptz is null or (${column}, name collate "C") ${cmp} ($6::timestamptz, $5::text collate "C"))`
    : `and ($5::text is null or name collate "C" ${cmp} $5::text collate "C")`;
  // A delimited listing folds every key below the next '/' into its folder (up to and with
  // that '/'); a folder is dated by its oldest object, as Storage's search_v2 dates it.
  const entries = q.delimited
    ? `with listed as (
         select case when strpos(substr(name, $3::int + 1), '/') > 0 then left(name, $3::int + strpos(substr(name, $3::int + 1), '/')) end as folder,
                id, name, metadata, updated_at, created_at, last_accessed_at
           from storage.objects
          where bucket_id = $1 and left(name, $3::int) = $2
       ), entries as (
         select folder as name, null::uuid as id, null::jsonb as metadata, min(created_at) as updated_at, min(created_at) as created_at, null::timestamptz as last_accessed_at
           from listed where folder is not null group by folder
         union all
         select name, id, metadata, updated_at, created_at, last_accessed_at from listed where folder is null
       )`
    : `with entries as (
         select name, id, metadata, updated_at, created_at, last_accessed_at
           from storage.objects
          where bucket_id = $1 and left(name, $3::int) = $2
       )`;
  const sql = `
    ${entries}
    select id, name, metadata, updated_at, created_at, last_accessed_at${column
      ? `, to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_after`
      : ''}
      from entries
     where true ${after}
     order by ${column ? `${column} ${order}, ` : ''}name collate "C" ${order}
     limit $4`;
  return (await client.query<ListEntry>(sql, params)).rows;
}

// ---- locks -----------------------------------------------------------------------------

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
