import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Context } from 'hono';
import type { Caller } from './auth.js';
import type { StagedBlob } from './blobs.js';
import { asCaller, asSuperuser, type StorageDeps } from './context.js';
import { mustFindBucket, superuserTransaction, testObjectWrite, upsertObject, type ObjectWrite } from './database.js';
import { fromDatabaseError } from './errors.js';
import type { BucketRow } from './objects.js';

export type { ObjectWrite } from './database.js';

/**
 * Asks Postgres whether the caller may write this key before any byte is received (the write
 * is rolled back), as Storage's canUpload does: a refused upload fails fast.
 */
export async function checkWritePermission(deps: StorageDeps, who: Caller | 'superuser', w: ObjectWrite, c: Context): Promise<void> {
  if (who === 'superuser') return;
  await asCaller(deps, who, c, (client) => testObjectWrite(client, w), { rollback: true });
}

/**
 * The bucket a write goes to (read as superuser) and the caller's right to make it (RLS), asked
 * of the database at once. Refusals come in the order of asking one after the other: a missing
 * bucket, then `onBucket`'s (its type rules), then RLS's.
 */
export async function admitWrite(deps: StorageDeps, who: Caller | 'superuser', w: ObjectWrite, c: Context, onBucket?: (bucket: BucketRow) => void): Promise<BucketRow> {
  const [bucket, permission] = await Promise.allSettled([
    asSuperuser(deps, (client) => mustFindBucket(client, w.bucketId)),
    checkWritePermission(deps, who, w, c),
  ]);
  if (bucket.status === 'rejected') throw bucket.reason;
  onBucket?.(bucket.value);
  if (permission.status === 'rejected') throw permission.reason;
  return bucket.value;
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
    const result = await upsertObject(client, w, version);
    await deps.blobs.commit(staged, version);
    placed = true;
    return result;
  };
  let result: { id: string; replaced: string | null };
  try {
    result = who === 'superuser' ? await superuserTransaction(deps, work) : await asCaller(deps, who, c, work);
  } catch (err) {
    if (placed) await deps.blobs.remove(version);
    else await deps.blobs.discard(staged);
    throw fromDatabaseError(err);
  }
  if (result.replaced && result.replaced !== version) await deps.blobs.remove(result.replaced);
  return { id: result.id };
}
