import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';

/** Uploads whose MD5 is kept as their bytes arrive, at most this many at once (the others are hashed at the end). */
const MAX_RUNNING = 1000;

/**
 * The tus file store, hashing each upload's bytes as they are written, so its ETag (an MD5, as
 * for a plain upload) is ready when the last chunk lands instead of costing a second read of the
 * whole file. The running hash lives in memory and is trusted only while every write has landed
 * exactly where the previous one ended; after a failed write, a restart of the stack or a write
 * at another offset it is dropped, and `etag` reads the file instead.
 */
export class HashingFileStore extends FileStore {
  private readonly running = new Map<string, { hash: Hash; offset: number }>();

  override async write(readable: http.IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    let state = this.running.get(id);
    if (offset === 0 && this.running.size < MAX_RUNNING) {
      state = { hash: createHash('md5'), offset: 0 };
      this.running.set(id, state);
    }
    if (!state || state.offset !== offset) {
      this.running.delete(id);
      return super.write(readable, id, offset);
    }
    const { hash } = state;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      const [written] = await Promise.all([super.write(hashing, id, offset), pipeline(readable, hashing)]);
      state.offset = written;
      return written;
    } catch (err) {
      // some bytes may be hashed that were never written: this upload is hashed from its file at the end
      this.running.delete(id);
      throw err;
    }
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
