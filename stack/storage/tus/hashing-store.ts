import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS } from '@tus/server';
import { WRITE_BUFFER_BYTES } from '../blobs.js';

/** Uploads whose MD5 is kept as their bytes arrive, at most this many at once (the others are hashed at the end). */
const MAX_RUNNING = 1000;

/**
 * The tus file store, hashing each upload's bytes as they are written, so its ETag (an MD5, as
 * for a plain upload) is ready when the last chunk lands instead of costing a second read of the
 * whole file. The running hash lives in memory and is trusted only while every write has landed
 * exactly where the previous one ended; after a failed write, a restart of the stack or a write
 * at another offset it is dropped, and `etag` reads the file instead.
 *
 * A chunk is written as FileStore writes it (at its offset, into the upload's file), but through
 * the same write buffer as a plain upload, so the socket is read on while a write is under way.
 */
export class HashingFileStore extends FileStore {
  private readonly running = new Map<string, { hash: Hash; offset: number }>();

  override async write(readable: http.IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    let state = this.running.get(id);
    if (offset === 0 && this.running.size < MAX_RUNNING) {
      state = { hash: createHash('md5'), offset: 0 };
      this.running.set(id, state);
    }
    if (state && state.offset !== offset) state = undefined;
    if (!state) this.running.delete(id);
    const hash = state?.hash;
    let written = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        hash?.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(readable, meter, createWriteStream(path.join(this.directory, id), { flags: 'r+', start: offset, highWaterMark: WRITE_BUFFER_BYTES }));
    } catch {
      // some bytes may be hashed that were never written: this upload is hashed from its file at the end
      this.running.delete(id);
      throw ERRORS.FILE_WRITE_ERROR;
    }
    if (state) state.offset = offset + written;
    return offset + written;
  }

  /** An upload terminated or expired: its running hash goes with it. */
  override async remove(id: string): Promise<void> {
    this.running.delete(id);
    await super.remove(id);
  }

  /** The finished upload's ETag (`"<md5 hex>"`): the running hash when it saw every byte, else a read of the file. */
  async etag(id: string, file: string, size: number): Promise<string> {
    const state = this.running.get(id);
    this.running.delete(id);
    if (state && state.offset === size) return `"${state.hash.digest('hex')}"`;
    const hash = createHash('md5');
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    return `"${hash.digest('hex')}"`;
  }
}
