import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Caller } from './auth.js';
import type { Context } from 'hono';
import { transaction } from '../db/transaction.js';
import { scoped, type StorageDeps } from './context.js';
import { fromDatabaseError } from './errors.js';
import { lockKey, type ObjectMetadata } from './objects.js';
import type { StagedBlob } from './blobs.js';

export interface ObjectWrite {
  bucketId: string;
  name: string;
  upsert: boolean;
  owner: string | null;
  metadata: ObjectMetadata;
  userMetadata: Record<string, unknown> | null;
}

/**
 * Inserts (or with `upsert`, inserts or replaces) the row for a new version. Written as the
 * caller, so RLS decides: insert needs an INSERT policy; upsert also SELECT and UPDATE, as on
 * Supabase. Returns the object id and the version it replaced.
 */
export async function writeObjectRow(client: pg.ClientBase, w: ObjectWrite, version: string): Promise<{ id: string; replaced: string | null }> {
  await lockKey(client, w.bucketId, w.name);
  let replaced: string | null = null;
  if (w.upsert) {
    const prev = await client.query<{ version: string | null }>(
      'select version from storage.objects where bucket_id = $1 and name = $2 for update',
      [w.bucketId, w.name],
    );
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
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (bucket_id, name) do update
       set owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
           metadata = excluded.metadata, user_metadata = excluded.user_metadata, last_accessed_at = now()
     returning id`,
    values,
  );
  return { id: rows[0].id, replaced };
}

/**
 * Asks Postgres whether the caller may write this key before any byte is received (the write
 * is rolled back), as Storage's canUpload does: a refused upload fails fast.
 */
export async function checkWritePermission(deps: StorageDeps, who: Caller | 'superuser', w: ObjectWrite, c: Context): Promise<void> {
  if (who === 'superuser') return;
  try {
    await scoped(deps, who, c, (client) => writeObjectRow(client, w, randomUUID()), { rollback: true });
  } catch (err) {
    throw fromDatabaseError(err);
  }
}

/**
 * Stores a received upload: the row is written and the staged file renamed into place in one
 * transaction; if either fails the file is removed, and the replaced version's file is removed
 * only after the commit.
 */
export async function storeObject(deps: StorageDeps, who: Caller | 'superuser', w: ObjectWrite, staged: StagedBlob, c: Context): Promise<{ id: string }> {
  const version = randomUUID();
  let placed = false;
  const work = async (client: pg.ClientBase) => {
    const result = await writeObjectRow(client, w, version);
    await deps.blobs.commit(staged, version);
    placed = true;
    return result;
  };
  let result: { id: string; replaced: string | null };
  try {
    if (who === 'superuser') {
      result = await transaction(deps.adminPool, work);
    } else {
      result = await scoped(deps, who, c, work);
    }
  } catch (err) {
    if (placed) await deps.blobs.remove(version);
    else await deps.blobs.discard(staged);
    throw fromDatabaseError(err);
  }
  if (result.replaced && result.replaced !== version) await deps.blobs.remove(result.replaced);
  return { id: result.id };
}
