import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import getPort from 'get-port';
import { SignJWT } from 'jose';
import pg from 'pg';
import * as tus from 'tus-js-client';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '../../stack/stack.js';

// A stack of its own (temp data dir, fixed API port) so it can be restarted under an upload in
// progress: the upload URL the client holds must still work afterwards.

const CHUNK = 6 * 1024 * 1024;
const SIZE = 24 * 1024 * 1024;
let dataDir: string;
let ports: { apiPort: number; dbPort: number };
let running: RunningStack | null = null;
const resumableDir = () => path.join(dataDir, 'storage', 'resumable');

async function start(): Promise<RunningStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      running = await startStack({ dataDir, ...ports, inboxPort: await getPort(), smtpPort: await getPort(), seed: false });
      return running;
    } catch (err) {
      if (attempt >= 10 || !/already in use/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function restart(): Promise<void> {
  await running?.stop();
  running = null;
  await start();
}

const api = () => running!.urls.api;
const endpoint = () => `${api()}/storage/v1/upload/resumable`;

interface User {
  id: string;
  token: string;
}

async function createUser(): Promise<User> {
  const id = randomUUID();
  const db = new pg.Client({ connectionString: running!.urls.db });
  await db.connect();
  try {
    await db.query(
      `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
       values ($1, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $2, '', now(), '{}', '{}', now(), now())`,
      [id, `${id.slice(0, 8)}@tus.test`],
    );
  } finally {
    await db.end();
  }
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: id, role: 'authenticated', aud: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(running!.config.jwtSecret));
  return { id, token };
}

async function objectRow(name: string): Promise<{ name: string; owner_id: string; metadata: Record<string, unknown> } | undefined> {
  const db = new pg.Client({ connectionString: running!.urls.db });
  await db.connect();
  try {
    const { rows } = await db.query("select name, owner_id, metadata from storage.objects where bucket_id = 'post-media' and name = $1", [name]);
    return rows[0];
  } finally {
    await db.end();
  }
}

function video(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}

interface UploadRun {
  upload: tus.Upload;
  done: Promise<void>;
}

/** A tus-js-client upload as an app makes it; `stopAfterChunks` cuts it off (abort) after that many chunks. */
function uploadOf(user: User, data: Buffer, meta: Record<string, string>, options: { uploadUrl?: string; stopAfterChunks?: number } = {}): UploadRun {
  let chunks = 0;
  let upload!: tus.Upload;
  const done = new Promise<void>((resolve, reject) => {
    upload = new tus.Upload(data, {
      endpoint: endpoint(),
      uploadUrl: options.uploadUrl,
      chunkSize: CHUNK,
      retryDelays: [],
      headers: { authorization: `Bearer ${user.token}`, apikey: running!.config.anonKey, 'x-upsert': 'true' },
      metadata: meta,
      storeFingerprintForResuming: false,
      onChunkComplete: () => {
        chunks++;
        if (options.stopAfterChunks && chunks === options.stopAfterChunks) {
          void upload.abort(false).then(() => resolve());
        }
      },
      onSuccess: () => resolve(),
      onError: (err) => reject(err),
    });
    upload.start();
  });
  return { upload, done };
}

async function offsetOf(url: string, user: User): Promise<number | null> {
  const res = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', authorization: `Bearer ${user.token}` } });
  return res.status === 200 ? Number(res.headers.get('upload-offset')) : null;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-tus-'));
  chmodSync(dataDir, 0o755);
  ports = { apiPort: await getPort(), dbPort: await getPort() };
  await start();
}, 120_000);

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('resumable uploads (tus) at /storage/v1/upload/resumable', () => {
  it('a 24 MB video goes up in 6 MB chunks, survives a cut-off and a restart of the stack, and arrives intact', async () => {
    const alice = await createUser();
    const data = video(SIZE);
    const name = `${alice.id}/clip-${randomUUID().slice(0, 6)}.mp4`;
    const meta = { bucketName: 'post-media', objectName: name, contentType: 'video/mp4', cacheControl: '3600', metadata: JSON.stringify({ kind: 'clip' }) };

    const first = uploadOf(alice, data, meta, { stopAfterChunks: 2 });
    await first.done;
    const url = first.upload.url!;
    expect(url).toContain('/storage/v1/upload/resumable/');
    expect(Buffer.from(url.split('/').pop()!, 'base64url').toString()).toMatch(new RegExp(`^post-media/${name}/[0-9a-f-]{36}$`));
    expect(await offsetOf(url, alice)).toBe(2 * CHUNK);
    // Nothing is an object until the last byte arrives.
    expect(await objectRow(name)).toBeUndefined();

    const second = uploadOf(alice, data, meta, { uploadUrl: url, stopAfterChunks: 1 });
    await second.done;
    expect(await offsetOf(url, alice)).toBe(3 * CHUNK);

    await restart();
    expect(await offsetOf(url, alice)).toBe(3 * CHUNK);
    await uploadOf(alice, data, meta, { uploadUrl: url }).done;

    const row = await objectRow(name);
    expect(row).toMatchObject({ owner_id: alice.id, metadata: { size: SIZE, mimetype: 'video/mp4', cacheControl: 'max-age=3600' } });
    expect(row!.metadata.eTag).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
    const client = createClient(api(), running!.config.anonKey, { auth: { persistSession: false }, realtime: { transport: ws as never } });
    const dl = await client.storage.from('post-media').download(name);
    expect(dl.error).toBeNull();
    expect(Buffer.from(await dl.data!.arrayBuffer()).equals(data)).toBe(true);
    // The finished upload's state is gone; its URL no longer answers.
    expect(await offsetOf(url, alice)).toBeNull();
  }, 180_000);

  it('the object\'s ETag is the MD5 of its bytes, whether the upload ran straight through or was cut off and resumed', async () => {
    const alice = await createUser();
    for (const cut of [0, 1]) {
      const data = video(2 * CHUNK + 12344);
      const name = `${alice.id}/etag-${cut}-${randomUUID().slice(0, 6)}.mp4`;
      const meta = { bucketName: 'post-media', objectName: name, contentType: 'video/mp4' };
      let url: string | undefined;
      if (cut) {
        const first = uploadOf(alice, data, meta, { stopAfterChunks: cut });
        await first.done;
        url = first.upload.url!;
      }
      await uploadOf(alice, data, meta, { uploadUrl: url }).done;
      const row = await objectRow(name);
      expect(row!.metadata.eTag, `cut after ${cut} chunks`).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
    }
  }, 120_000);

  it('an upload into another user\'s folder is refused at creation (RLS), with nothing stored', async () => {
    const alice = await createUser();
    const bob = await createUser();
    const before = readdirSync(resumableDir()).length;
    const err = await uploadOf(alice, video(1024), { bucketName: 'post-media', objectName: `${bob.id}/sneaky.mp4`, contentType: 'video/mp4' }).done.catch((e) => e);
    expect(err).toBeInstanceOf(tus.DetailedError);
    expect((err as tus.DetailedError).originalResponse?.getStatus()).toBe(403);
    expect((err as tus.DetailedError).originalResponse?.getBody()).toBe('new row violates row-level security policy');
    expect(readdirSync(resumableDir()).length).toBe(before);
  });

  it('a type the bucket does not allow, or a size above its limit, is refused at creation', async () => {
    const alice = await createUser();
    const typed = await uploadOf(alice, video(1024), { bucketName: 'post-media', objectName: `${alice.id}/notes.txt`, contentType: 'text/plain' }).done.catch((e) => e);
    expect((typed as tus.DetailedError).originalResponse?.getStatus()).toBe(415);
    expect((typed as tus.DetailedError).originalResponse?.getBody()).toBe('mime type text/plain is not supported');
    const big = await fetch(endpoint(), {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        authorization: `Bearer ${alice.token}`,
        'Upload-Length': String(51 * 1024 * 1024),
        'Upload-Metadata': `bucketName ${Buffer.from('post-media').toString('base64')},objectName ${Buffer.from(`${alice.id}/big.mp4`).toString('base64')},contentType ${Buffer.from('video/mp4').toString('base64')}`,
      },
    });
    expect(big.status).toBe(413);
  });

  it('requests without a JWT, with a bad upload id or without metadata get clear 4xx answers', async () => {
    const alice = await createUser();
    const anon = await fetch(endpoint(), { method: 'POST', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '10' } });
    expect(anon.status).toBe(400);
    expect(await anon.json()).toMatchObject({ message: "headers must have required property 'authorization'" });
    const auth = { 'Tus-Resumable': '1.0.0', authorization: `Bearer ${alice.token}` };
    const badId = await fetch(`${endpoint()}/not-base64!`, { method: 'HEAD', headers: auth });
    expect(badId.status).toBe(400);
    const noMeta = await fetch(endpoint(), { method: 'POST', headers: { ...auth, 'Upload-Length': '10' } });
    expect(noMeta.status).toBe(400);
    expect(await noMeta.text()).toBe('Bucket name invalid');
    const badMeta = await fetch(endpoint(), { method: 'POST', headers: { ...auth, 'Upload-Length': '10', 'Upload-Metadata': 'bucketName !!!,,' } });
    expect(badMeta.status).toBe(400);
    expect(await badMeta.text()).toBe('Invalid Parameter upload-metadata');
    // A browser's tus client must be able to read where its upload lives and how far it got.
    const created = await fetch(endpoint(), {
      method: 'POST',
      headers: { ...auth, Origin: 'http://localhost:3000', 'Upload-Length': '4', 'Upload-Metadata': `bucketName ${Buffer.from('post-media').toString('base64')},objectName ${Buffer.from(`${alice.id}/cors.mp4`).toString('base64')},contentType ${Buffer.from('video/mp4').toString('base64')}` },
    });
    expect(created.status).toBe(201);
    const exposed = (created.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',').map((h) => h.trim());
    expect(exposed).toEqual(expect.arrayContaining(['location', 'upload-offset', 'tus-resumable']));
    const forged = Buffer.from(`post-media/${alice.id}/x.mp4/${randomUUID()}`).toString('base64url');
    expect((await fetch(`${endpoint()}/${forged}`, { method: 'HEAD', headers: auth })).status).toBe(404);
    // GET would read a partial upload's bytes: not a route here.
    expect((await fetch(`${endpoint()}/${forged}`, { headers: auth })).status).toBe(404);
  });

  it('a client that goes away while its chunk waits for admission leaves the upload free: no file stays open, the next chunk goes in', async () => {
    const alice = await createUser();
    const name = `${alice.id}/gone-${randomUUID().slice(0, 6)}.mp4`;
    const data = video(4 * 1024 * 1024);
    const auth = { 'Tus-Resumable': '1.0.0', authorization: `Bearer ${alice.token}`, apikey: running!.config.anonKey };
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const created = await fetch(endpoint(), {
      method: 'POST',
      headers: { ...auth, 'Upload-Length': String(data.length), 'Upload-Metadata': `bucketName ${b64('post-media')},objectName ${b64(name)},contentType ${b64('video/mp4')}` },
    });
    expect(created.status).toBe(201);
    const url = created.headers.get('location')!;
    const uploadId = Buffer.from(url.split('/').pop()!, 'base64url').toString().split('/').pop()!;
    // Another session writing the same key holds the chunk's RLS probe back.
    const db = new pg.Client({ connectionString: running!.urls.db });
    await db.connect();
    await db.query('begin');
    await db.query("insert into storage.objects (bucket_id, name, owner_id) values ('post-media', $1, $2)", [name, alice.id]);
    const { pathname, port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const head = [`PATCH ${pathname} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...Object.entries({ ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(data.length) }).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    socket.write(data.subarray(0, 8192));
    await new Promise((r) => setTimeout(r, 300));
    socket.destroy(); // gone before its chunk was admitted
    await new Promise((r) => setTimeout(r, 300));
    await db.query('rollback');
    await db.end();
    const openOnUpload = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).includes(uploadId);
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 50 && openOnUpload().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(openOnUpload()).toEqual([]);
    expect(await offsetOf(url, alice)).toBe(0);
    const patched = await fetch(url, { method: 'PATCH', headers: { ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: new Uint8Array(data) });
    expect(patched.status).toBe(204);
    expect((await objectRow(name))!.metadata.eTag).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
  });

  it('a chunk that runs past the upload\'s length is refused with the protocol\'s 413, not an error', async () => {
    const alice = await createUser();
    const auth = { 'Tus-Resumable': '1.0.0', authorization: `Bearer ${alice.token}`, apikey: running!.config.anonKey };
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const created = await fetch(endpoint(), {
      method: 'POST',
      headers: { ...auth, 'Upload-Length': '1024', 'Upload-Metadata': `bucketName ${b64('post-media')},objectName ${b64(`${alice.id}/over-${randomUUID().slice(0, 6)}.mp4`)},contentType ${b64('video/mp4')}` },
    });
    expect(created.status).toBe(201);
    // chunked, so no Content-Length tells the server beforehand
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(4096));
        controller.close();
      },
    });
    const res = await fetch(created.headers.get('location')!, { method: 'PATCH', headers: { ...auth, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('Maximum size exceeded\n');
  });

  it('an abandoned upload is removed once it expires, data and state', async () => {
    const alice = await createUser();
    const name = `${alice.id}/abandoned.mp4`;
    const run = uploadOf(alice, video(2 * CHUNK), { bucketName: 'post-media', objectName: name, contentType: 'video/mp4' }, { stopAfterChunks: 1 });
    await run.done;
    const url = run.upload.url!;
    const id = Buffer.from(url.split('/').pop()!, 'base64url').toString().split('/').pop()!;
    expect(existsSync(path.join(resumableDir(), id))).toBe(true);
    // Started two hours ago: past Storage's one-hour expiry. Expired uploads are swept when the stack starts.
    const stateFile = path.join(resumableDir(), `${id}.json`);
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    writeFileSync(stateFile, JSON.stringify({ ...state, creation_date: new Date(Date.now() - 2 * 3600_000).toISOString() }));
    await restart();
    for (let i = 0; i < 50 && existsSync(path.join(resumableDir(), id)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(path.join(resumableDir(), id))).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
    expect(await offsetOf(url, alice)).toBeNull();
    expect(await objectRow(name)).toBeUndefined();
  }, 120_000);
});
