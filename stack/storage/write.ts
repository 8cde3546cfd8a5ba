import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Context } from 'hono';
import type { Caller } from './auth.js';
import type { StagedBlob } from './blobs.js';
import { asCaller, type StorageDeps } from './context.js';
import { superuserTransaction, upsertObject, type ObjectWrite } from './database.js';
import { fromDatabaseError } from './errors.js';

export type { ObjectWrite } from './database.js';

/**
 * Asks Postgres whether the caller may write this key before any byte is received (the write
 * is rolled back), as Storage's canUpload does: a refused upload fails fast.
 */
export async function checkWritePermission(deps: StorageDeps, who: Caller | 'superuser', w: ObjectWrite, c: Context): Promise<void> {
  if (who === 'superuser') return;
  await asCaller(deps, who, c, (client) => upsertObject(client, w, randomUUID()), { rollback: true });
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
