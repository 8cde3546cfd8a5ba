import { FileConfigstore } from '@tus/file-store';
import type { Upload } from '@tus/server';

/** Upload states kept in memory, at most this many (the oldest are read from their files again). */
const MAX_KEPT = 1000;

/**
 * The tus file store's state files (one JSON per upload, so uploads survive a restart), kept in
 * memory as they are written or first read: every request about an upload reads its state, and
 * a chunk's body waits meanwhile. Every write goes through this store (the stack is the only
 * writer of its data folder), so what it keeps is what the file holds. Kept as JSON text, so a
 * caller that changes the object it gets changes nothing here.
 */
export class KeptStateStore extends FileConfigstore {
  private readonly kept = new Map<string, string>();
  /** Writes and deletions started so far (of any upload): what a read or write checks it overlapped. */
  private changes = 0;
  /** Per upload, the writes and deletions under way. */
  private readonly running = new Map<string, number>();

  override async get(key: string): Promise<Upload | undefined> {
    const text = this.kept.get(key);
    if (text !== undefined) return JSON.parse(text) as Upload;
    const before = this.changes;
    const busy = this.running.has(key);
    const value = await super.get(key);
    // kept only if no write or deletion overlapped the read, so the file still says what it read
    if (value !== undefined && !busy && this.changes === before && !this.running.has(key)) this.keep(key, JSON.stringify(value));
    return value;
  }

  override async set(key: string, value: Upload): Promise<void> {
    const alone = !this.running.has(key);
    const mine = this.begin(key);
    try {
      await super.set(key, value);
    } finally {
      this.end(key);
    }
    // kept only if no other write or deletion of it ran beside this one, in either order
    if (alone && this.changes === mine && !this.running.has(key)) this.keep(key, JSON.stringify(value));
  }

  override async delete(key: string): Promise<void> {
    this.begin(key);
    try {
      await super.delete(key);
    } finally {
      this.end(key);
    }
  }

  private begin(key: string): number {
    this.kept.delete(key);
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    return ++this.changes;
  }

  private end(key: string): void {
    const left = this.running.get(key)! - 1;
    if (left === 0) this.running.delete(key);
    else this.running.set(key, left);
  }

  private keep(key: string, text: string): void {
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, text);
  }
}
