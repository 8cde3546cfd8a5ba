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
  /** Counts writes and deletions: a read that overlapped one does not keep what it read. */
  private changes = 0;

  override async get(key: string): Promise<Upload | undefined> {
    const text = this.kept.get(key);
    if (text !== undefined) return JSON.parse(text) as Upload;
    const before = this.changes;
    const value = await super.get(key);
    if (value !== undefined && this.changes === before) this.keep(key, JSON.stringify(value));
    return value;
  }

  override async set(key: string, value: Upload): Promise<void> {
    this.changes++;
    this.kept.delete(key);
    await super.set(key, value);
    this.keep(key, JSON.stringify(value));
  }

  override async delete(key: string): Promise<void> {
    this.changes++;
    this.kept.delete(key);
    await super.delete(key);
  }

  private keep(key: string, text: string): void {
    if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, text);
  }
}
