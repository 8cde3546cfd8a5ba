import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Upload } from '@tus/server';
import type { StorageDeps } from '../context.js';
import { parseUserMetadata } from '../incoming.js';
import { metadataFor } from '../objects.js';
import { storeObject } from '../write.js';
import type { HashingFileStore } from './hashing-store.js';
import type { ResumableCall } from './server.js';

/**
 * The last byte has arrived: the object row is written as the caller (RLS decides again, as at
 * creation) and the upload's file becomes the object's bytes. Either way the upload is over, so
 * its state goes too: a refused upload leaves nothing behind.
 */
export async function completeUpload(deps: StorageDeps, store: HashingFileStore, call: ResumableCall, upload: Upload): Promise<void> {
  const file = path.join(store.directory, upload.id);
  try {
    const size = upload.offset;
    const meta = upload.metadata ?? {};
    const staged = { tempPath: file, size, eTag: await store.etag(upload.id, file, size) };
    await storeObject(deps, call.who, {
      bucketId: call.bucketId,
      name: call.name,
      upsert: call.upsert,
      owner: call.who.userId,
      metadata: metadataFor(size, staged.eTag, meta.contentType || 'application/octet-stream', meta.cacheControl || 'no-cache'),
      userMetadata: parseUserMetadata(meta.metadata, false),
    }, staged, call.c);
  } finally {
    await rm(file, { force: true });
    await store.configstore.delete(upload.id);
  }
}
