import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileConfigstore } from '@tus/file-store';
import { Upload } from '@tus/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeptStateStore } from '../../stack/storage/tus/state-store.js';

// An upload's state, kept in memory by the resumable endpoint, must never say anything its
// file does not: what a restarted stack would read.
describe('the kept state of resumable uploads', () => {
  let dir: string;
  const upload = (size: number) => new Upload({ id: 'u1', size, offset: 0, metadata: { bucketName: 'b', objectName: 'o' } });
  const onDisk = () => JSON.parse(readFileSync(path.join(dir, 'u1.json'), 'utf8'));

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'agora-tus-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes through to the state file, and a new store (a restart) reads the same state', async () => {
    await new KeptStateStore(dir).set('u1', upload(10));
    expect(onDisk().size).toBe(10);
    expect((await new KeptStateStore(dir).get('u1'))?.metadata).toEqual({ bucketName: 'b', objectName: 'o' });
  });

  it('hands out copies: changing what it returned changes neither the kept state nor the file', async () => {
    const store = new KeptStateStore(dir);
    await store.set('u1', upload(10));
    const got = (await store.get('u1'))!;
    got.size = 99;
    expect((await store.get('u1'))?.size).toBe(10);
    expect(onDisk().size).toBe(10);
  });

  it('forgets a deleted upload', async () => {
    const store = new KeptStateStore(dir);
    await store.set('u1', upload(10));
    await store.delete('u1');
    expect(await store.get('u1')).toBeUndefined();
  });

  it('does not keep what a read found while a write was under way', async () => {
    const store = new KeptStateStore(dir);
    writeFileSync(path.join(dir, 'u1.json'), JSON.stringify(upload(10)));
    // the file's read finishes only after the write
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = FileConfigstore.prototype.get;
    FileConfigstore.prototype.get = async function (this: FileConfigstore, key: string) {
      const value = await read.call(this, key);
      await gate;
      return value;
    };
    try {
      const reading = store.get('u1');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.set('u1', upload(20));
      release();
      expect((await reading)?.size).toBe(10);
    } finally {
      FileConfigstore.prototype.get = read;
    }
    expect((await store.get('u1'))?.size).toBe(20);
  });

  it('does not keep what a read found while the upload was being deleted', async () => {
    await new KeptStateStore(dir).set('u1', upload(10));
    const store = new KeptStateStore(dir); // as after a restart: nothing kept yet
    // the deletion waits for `removing`; the read, once it has read the file, for `reading`
    let removing = () => {};
    let reading = () => {};
    const removal = new Promise<void>((resolve) => (removing = resolve));
    const readDone = new Promise<void>((resolve) => (reading = resolve));
    const { delete: remove, get: read } = FileConfigstore.prototype;
    FileConfigstore.prototype.delete = async function (this: FileConfigstore, key: string) {
      await removal;
      return remove.call(this, key);
    };
    FileConfigstore.prototype.get = async function (this: FileConfigstore, key: string) {
      const value = await read.call(this, key);
      await readDone;
      return value;
    };
    try {
      const deleting = store.delete('u1');
      const got = store.get('u1'); // starts while the deletion is under way, reads the old file
      await new Promise((resolve) => setTimeout(resolve, 20));
      removing();
      await deleting;
      reading(); // and finishes after it
      expect((await got)?.size).toBe(10);
    } finally {
      Object.assign(FileConfigstore.prototype, { delete: remove, get: read });
    }
    expect(await store.get('u1')).toBeUndefined();
  });
});
