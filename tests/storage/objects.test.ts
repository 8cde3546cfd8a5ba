import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { anonClient, bytes, createUser, png, serviceClient, withDb } from './support.js';

const blobDir = () => path.join(stack().dataDir, 'storage', 'blobs');

async function rowFor(bucket: string, name: string) {
  return withDb(async (db) => (await db.query('select version, metadata from storage.objects where bucket_id = $1 and name = $2', [bucket, name])).rows[0]);
}

describe('uploads and downloads', () => {
  it('a user uploads an avatar into their own folder and anyone downloads the same bytes from the public URL', async () => {
    const alice = await createUser('alice');
    const file = png(500);
    const up = await alice.client.storage.from('avatars').upload(`${alice.id}/me.png`, file, { contentType: 'image/png', cacheControl: '120' });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: `${alice.id}/me.png`, fullPath: `avatars/${alice.id}/me.png` });
    expect(up.data?.id).toMatch(/^[0-9a-f-]{36}$/);

    const { publicUrl } = anonClient().storage.from('avatars').getPublicUrl(`${alice.id}/me.png`).data;
    const res = await fetch(publicUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('max-age=120');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);

    const dl = await anonClient().storage.from('avatars').download(`${alice.id}/me.png`);
    expect(dl.error).toBeNull();
    expect(Buffer.from(await dl.data!.arrayBuffer()).equals(file)).toBe(true);
  });

  it('multipart uploads (a Blob) keep the part type, cacheControl and metadata', async () => {
    const bob = await createUser('bob');
    const blob = new Blob([new Uint8Array(png(300))], { type: 'image/png' });
    const up = await bob.client.storage.from('post-media').upload(`${bob.id}/pic.png`, blob, { cacheControl: '60', metadata: { alt: 'a dot' } });
    expect(up.error).toBeNull();
    const info = await bob.client.storage.from('post-media').info(`${bob.id}/pic.png`);
    expect(info.error).toBeNull();
    expect(info.data).toMatchObject({ name: `${bob.id}/pic.png`, bucketId: 'post-media', size: 300, contentType: 'image/png', cacheControl: 'max-age=60', metadata: { alt: 'a dot' } });
    expect((await bob.client.storage.from('post-media').exists(`${bob.id}/pic.png`)).data).toBe(true);
    expect((await bob.client.storage.from('post-media').exists(`${bob.id}/nope.png`)).data).toBe(false);
  });

  it("a user cannot upload into another user's folder", async () => {
    const [alice, mallory] = [await createUser('alice'), await createUser('mallory')];
    const res = await mallory.client.storage.from('avatars').upload(`${alice.id}/evil.png`, png(), { contentType: 'image/png' });
    expect(res.error).toMatchObject({ status: 400, statusCode: '403', message: 'new row violates row-level security policy' });
    expect(await rowFor('avatars', `${alice.id}/evil.png`)).toBeUndefined();
  });

  it('anon cannot upload', async () => {
    const alice = await createUser('alice');
    const res = await anonClient().storage.from('avatars').upload(`${alice.id}/anon.png`, png(), { contentType: 'image/png' });
    expect(res.error).toMatchObject({ statusCode: '403', message: 'new row violates row-level security policy' });
  });

  it("the bucket's MIME types and size limit are enforced with Storage's errors", async () => {
    const alice = await createUser('alice');
    const html = await alice.client.storage.from('avatars').upload(`${alice.id}/x.html`, '<html></html>', { contentType: 'text/html' });
    expect(html.error).toMatchObject({ status: 400, statusCode: '415', message: 'mime type text/html is not supported' });
    const big = await alice.client.storage.from('avatars').upload(`${alice.id}/big.png`, png(2 * 1024 * 1024 + 1), { contentType: 'image/png' });
    expect(big.error).toMatchObject({ status: 400, statusCode: '413', message: 'The object exceeded the maximum allowed size' });
    expect(await rowFor('avatars', `${alice.id}/big.png`)).toBeUndefined();
    const ok = await alice.client.storage.from('avatars').upload(`${alice.id}/max.png`, png(2 * 1024 * 1024), { contentType: 'image/png' });
    expect(ok.error).toBeNull();
  });

  it('an existing key is refused without upsert and replaced with it; the old file is removed', async () => {
    const alice = await createUser('alice');
    const key = `${alice.id}/same.png`;
    const bucket = alice.client.storage.from('post-media');
    expect((await bucket.upload(key, png(100), { contentType: 'image/png' })).error).toBeNull();
    const before = await rowFor('post-media', key);
    const dup = await bucket.upload(key, png(200), { contentType: 'image/png' });
    expect(dup.error).toMatchObject({ statusCode: '409', message: 'The resource already exists' });
    expect((await bucket.upload(key, png(200), { contentType: 'image/png', upsert: true })).error).toBeNull();
    const after = await rowFor('post-media', key);
    expect(after.version).not.toBe(before.version);
    expect(after.metadata.size).toBe(200);
    const files = readdirSync(blobDir());
    expect(files).toContain(after.version);
    expect(files).not.toContain(before.version);
    expect((await bucket.update(key, png(300), { contentType: 'image/png' })).error).toBeNull();
    expect((await rowFor('post-media', key)).metadata.size).toBe(300);
  });

  it('a multipart form cut off inside a skipped file part is a 400, and the server keeps serving', async () => {
    const alice = await createUser('alice');
    const url = (key: string) => `${stack().apiUrl}/storage/v1/object/avatars/${alice.id}/${key}`;
    const part = (type: string, body: string) => `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="f"\r\nContent-Type: ${type}\r\n\r\n${body}\r\n`;
    // a file of a type the bucket refuses, then a second file: both parts are drained unread, and the form never ends
    for (const [key, form] of [['refused.png', part('text/html', 'x'.repeat(50))], ['second.png', part('image/png', 'a') + part('image/png', 'b'.repeat(50))]]) {
      const res = await fetch(url(key), {
        method: 'POST',
        headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data; boundary=XyZ' },
        body: form,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: expect.stringMatching(/^4/) });
      expect(await rowFor('avatars', `${alice.id}/${key}`)).toBeUndefined();
    }
    const ok = await alice.client.storage.from('avatars').upload(`${alice.id}/after.png`, png(), { contentType: 'image/png' });
    expect(ok.error).toBeNull();
  });

  it('an interrupted upload leaves neither a row nor a file behind', async () => {
    const alice = await createUser('alice');
    const key = `${alice.id}/cut.png`;
    const tmp = path.join(stack().dataDir, 'storage', 'tmp');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(png(64 * 1024)));
        setTimeout(() => controller.error(new Error('client went away')), 100);
      },
    });
    const res = await fetch(`${stack().apiUrl}/storage/v1/object/avatars/${key}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, apikey: stack().anonKey, 'content-type': 'image/png' },
      body,
      duplex: 'half',
    } as RequestInit).catch((err: Error) => err);
    expect(res).toBeInstanceOf(Error);
    await new Promise((r) => setTimeout(r, 300));
    const failedAt = Date.now();
    expect(await rowFor('avatars', key)).toBeUndefined();
    // Other test files upload concurrently: only a temp file older than the failure can be ours.
    await new Promise((r) => setTimeout(r, 1500));
    const leftovers = readdirSync(tmp).filter((f) => (statSync(path.join(tmp, f), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < failedAt);
    expect(leftovers).toEqual([]);
  });

  it('downloads honour Range and If-None-Match', async () => {
    const alice = await createUser('alice');
    const data = png(1000);
    await alice.client.storage.from('post-media').upload(`${alice.id}/r.png`, data, { contentType: 'image/png' });
    const url = `${stack().apiUrl}/storage/v1/object/public/post-media/${alice.id}/r.png`;
    const part = await fetch(url, { headers: { Range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-7/1000');
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(0, 8))).toBe(true);
    const full = await fetch(url);
    const etag = full.headers.get('etag')!;
    await full.arrayBuffer();
    const cached = await fetch(url, { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);
    const bad = await fetch(url, { headers: { Range: 'bytes=5000-6000' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'InvalidRange' });
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('1000');
  });

  it('a missing object is "not found" in Storage format', async () => {
    const res = await anonClient().storage.from('avatars').download('nobody/none.png');
    expect(res.error).toBeTruthy();
    const raw = await fetch(`${stack().apiUrl}/storage/v1/object/public/avatars/nobody/none.png`);
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ statusCode: '404', code: 'NoSuchKey', error: 'not_found', message: 'Object not found' });
  });
});

describe('list, move, copy, remove', () => {
  it('lists one folder level with prefix, limit, offset, sortBy and search', async () => {
    const alice = await createUser('alice');
    const b = alice.client.storage.from('post-media');
    for (const n of ['c.png', 'a.png', 'b.png', 'sub/d.png']) await b.upload(`${alice.id}/${n}`, png(), { contentType: 'image/png' });
    const all = await b.list(alice.id);
    expect(all.error).toBeNull();
    expect(all.data!.map((o) => o.name)).toEqual(['sub', 'a.png', 'b.png', 'c.png']);
    expect(all.data![0].id).toBeNull();
    expect(all.data![1].metadata).toMatchObject({ mimetype: 'image/png', size: png().length });
    const page = await b.list(alice.id, { limit: 2, offset: 1, sortBy: { column: 'name', order: 'desc' } });
    expect(page.data!.map((o) => o.name)).toEqual(['c.png', 'b.png']);
    const found = await b.list(alice.id, { search: 'b' });
    expect(found.data!.map((o) => o.name)).toEqual(['b.png']);
    const nested = await b.list(`${alice.id}/sub`);
    expect(nested.data!.map((o) => o.name)).toEqual(['d.png']);
  });

  it('moves and copies within the own folder, but not into another user\'s', async () => {
    const [alice, bob] = [await createUser('alice'), await createUser('bob')];
    const b = alice.client.storage.from('post-media');
    const data = png(400);
    await b.upload(`${alice.id}/orig.png`, data, { contentType: 'image/png' });
    expect((await b.copy(`${alice.id}/orig.png`, `${alice.id}/copy.png`)).data).toEqual({ path: `post-media/${alice.id}/copy.png` });
    expect((await b.move(`${alice.id}/orig.png`, `${alice.id}/moved.png`)).data).toEqual({ message: 'Successfully moved' });
    expect((await b.download(`${alice.id}/orig.png`)).error).toBeTruthy();
    for (const n of ['copy.png', 'moved.png']) {
      const dl = await b.download(`${alice.id}/${n}`);
      expect(Buffer.from(await dl.data!.arrayBuffer()).equals(data)).toBe(true);
    }
    const steal = await b.move(`${alice.id}/moved.png`, `${bob.id}/stolen.png`);
    expect(steal.error).toMatchObject({ statusCode: '403' });
    const sneak = await b.copy(`${alice.id}/moved.png`, `${bob.id}/stolen.png`);
    expect(sneak.error).toMatchObject({ statusCode: '403' });
    expect((await b.download(`${alice.id}/moved.png`)).error).toBeNull();
  });

  it("removes many at once, only what RLS allows; others' files stay", async () => {
    const [alice, bob] = [await createUser('alice'), await createUser('bob')];
    await alice.client.storage.from('post-media').upload(`${alice.id}/1.png`, png(), { contentType: 'image/png' });
    await alice.client.storage.from('post-media').upload(`${alice.id}/2.png`, png(), { contentType: 'image/png' });
    await bob.client.storage.from('post-media').upload(`${bob.id}/3.png`, png(), { contentType: 'image/png' });
    const version = (await rowFor('post-media', `${alice.id}/1.png`)).version;
    const res = await alice.client.storage.from('post-media').remove([`${alice.id}/1.png`, `${alice.id}/2.png`, `${bob.id}/3.png`]);
    expect(res.error).toBeNull();
    expect(res.data!.map((o) => o.name).sort()).toEqual([`${alice.id}/1.png`, `${alice.id}/2.png`]);
    expect(readdirSync(blobDir())).not.toContain(version);
    expect(await rowFor('post-media', `${bob.id}/3.png`)).toBeDefined();
  });
});

describe('storage.operation()', () => {
  it('policies can tell operations apart: this bucket lets users list but not download', async () => {
    const admin = serviceClient();
    const bucket = `ops-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    await admin.storage.createBucket(bucket);
    await admin.storage.from(bucket).upload('shared/file.txt', 'hello', { contentType: 'text/plain' });
    const policy = `list only ${bucket}`;
    await withDb((db) => db.query(`create policy "${policy}" on storage.objects for select to authenticated using (bucket_id = '${bucket}' and storage.operation() = 'storage.object.list')`));
    try {
      const alice = await createUser('alice');
      const listed = await alice.client.storage.from(bucket).list('shared');
      expect(listed.data!.map((o) => o.name)).toEqual(['file.txt']);
      const dl = await alice.client.storage.from(bucket).download('shared/file.txt');
      expect(dl.error).toBeTruthy();
    } finally {
      await withDb((db) => db.query(`drop policy "${policy}" on storage.objects`));
      await admin.storage.emptyBucket(bucket);
      await admin.storage.deleteBucket(bucket);
    }
  });
});

describe('signed URLs', () => {
  it('a signed URL downloads a private object until it expires; a tampered one is refused', async () => {
    const admin = serviceClient();
    const bucket = `private-${Date.now()}`;
    await admin.storage.createBucket(bucket);
    const data = bytes(2048);
    await admin.storage.from(bucket).upload('docs/secret.bin', data, { contentType: 'application/octet-stream' });
    expect((await anonClient().storage.from(bucket).download('docs/secret.bin')).error).toBeTruthy();

    const signed = await admin.storage.from(bucket).createSignedUrl('docs/secret.bin', 60);
    expect(signed.error).toBeNull();
    const res = await fetch(signed.data!.signedUrl);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);

    const withDownload = await admin.storage.from(bucket).createSignedUrl('docs/secret.bin', 60, { download: 'name.bin' });
    const dl = await fetch(withDownload.data!.signedUrl);
    expect(dl.headers.get('content-disposition')).toContain('attachment');
    await dl.arrayBuffer();

    const other = signed.data!.signedUrl.replace('docs/secret.bin', 'docs/other.bin');
    const tampered = await fetch(other);
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ code: 'InvalidSignature' });

    const short = await admin.storage.from(bucket).createSignedUrl('docs/secret.bin', 1);
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(short.data!.signedUrl);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({ code: 'InvalidJWT', message: 'jwt expired' });

    const many = await admin.storage.from(bucket).createSignedUrls(['docs/secret.bin', 'docs/missing.bin'], 60);
    expect(many.data![0]).toMatchObject({ path: 'docs/secret.bin', error: null });
    expect(many.data![0].signedUrl).toContain('/object/sign/');
    expect(many.data![1]).toMatchObject({ path: 'docs/missing.bin', signedUrl: null, error: 'Either the object does not exist or you do not have access to it' });

    await admin.storage.emptyBucket(bucket);
    await admin.storage.deleteBucket(bucket);
  });

  it('a signed upload URL lets its holder upload into the signer\'s folder once', async () => {
    const alice = await createUser('alice');
    const key = `${alice.id}/signed.png`;
    const signed = await alice.client.storage.from('post-media').createSignedUploadUrl(key);
    expect(signed.error).toBeNull();
    const up = await anonClient().storage.from('post-media').uploadToSignedUrl(key, signed.data!.token, png(123), { contentType: 'image/png' });
    expect(up.error).toBeNull();
    expect(up.data).toMatchObject({ path: key, fullPath: `post-media/${key}` });
    expect((await rowFor('post-media', key)).metadata.size).toBe(123);
    const again = await anonClient().storage.from('post-media').uploadToSignedUrl(key, signed.data!.token, png(1), { contentType: 'image/png' });
    expect(again.error).toMatchObject({ statusCode: '409' });
    const mallory = await createUser('mallory');
    const refused = await mallory.client.storage.from('post-media').createSignedUploadUrl(`${alice.id}/x.png`);
    expect(refused.error).toMatchObject({ statusCode: '403' });
  });

  it('a signed download URL cannot be used to upload, nor an upload token to download', async () => {
    const alice = await createUser('alice');
    const key = `${alice.id}/gone.png`;
    expect((await alice.client.storage.from('post-media').upload(key, png(10), { contentType: 'image/png' })).error).toBeNull();
    // Anyone may sign a download URL for a public object; the object is then removed.
    const download = await anonClient().storage.from('post-media').createSignedUrl(key, 3600);
    expect(download.error).toBeNull();
    const downloadToken = new URL(download.data!.signedUrl).searchParams.get('token')!;
    expect((await alice.client.storage.from('post-media').remove([key])).error).toBeNull();
    const forged = await anonClient().storage.from('post-media').uploadToSignedUrl(key, downloadToken, png(5), { contentType: 'image/png' });
    expect(forged.error).not.toBeNull();
    expect(await rowFor('post-media', key)).toBeUndefined();

    const upload = await alice.client.storage.from('post-media').createSignedUploadUrl(`${alice.id}/later.png`);
    const read = await fetch(`${stack().apiUrl}/storage/v1/object/sign/post-media/${alice.id}/later.png?token=${upload.data!.token}`);
    expect(read.status).toBeGreaterThanOrEqual(400);
    expect(read.status).toBeLessThan(500);
  });
});
