import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { BlobStore } from './blobs.js';
import { existingVersions } from './database.js';

/**
 * Removes stored files no row points to: what a crash between placing a file and committing its
 * row leaves behind. Run at start, before any request can be placing one.
 */
export async function sweepOrphans(pool: pg.Pool, blobs: BlobStore): Promise<number> {
  let files: string[];
  try {
    files = (await readdir(blobs.blobDir)).filter((f) => /^[0-9a-f-]{36}$/i.test(f));
  } catch {
    return 0;
  }
  let removed = 0;
  for (let i = 0; i < files.length; i += 1000) {
    const batch = files.slice(i, i + 1000);
    const known = await existingVersions(pool, batch);
    for (const f of batch) {
      if (known.has(f)) continue;
      await rm(path.join(blobs.blobDir, f), { force: true });
      removed++;
    }
  }
  return removed;
}
