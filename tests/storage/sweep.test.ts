import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { BlobStore } from '../../stack/storage/blobs.js';
import { sweepOrphans } from '../../stack/storage/sweep.js';
import { stack } from '../support/env.js';
import { createUser, png, withDb } from './support.js';

describe('start-up sweep', () => {
  it('removes stored files no object row points to, and keeps the others', async () => {
    const alice = await createUser('alice');
    await alice.client.storage.from('avatars').upload(`${alice.id}/kept.png`, png(), { contentType: 'image/png' });
    const version = (await withDb((db) => db.query('select version from storage.objects where name = $1', [`${alice.id}/kept.png`]))).rows[0].version as string;
    // A store of its own: the running stack's files are not this test's to sweep.
    const root = mkdtempSync(path.join(os.tmpdir(), 'agora-sweep-'));
    const blobs = new BlobStore(root);
    const orphan = randomUUID();
    writeFileSync(blobs.pathOf(version), 'kept');
    writeFileSync(blobs.pathOf(orphan), 'left behind by a crash');
    const pool = new pg.Pool({ connectionString: stack().dbUrl, max: 1 });
    try {
      expect(await sweepOrphans(pool, blobs)).toBe(1);
      expect(existsSync(blobs.pathOf(orphan))).toBe(false);
      expect(existsSync(blobs.pathOf(version))).toBe(true);
    } finally {
      await pool.end();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
