import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import sharp from 'sharp';
import { loadConfig } from '../../stack/config/load.js';
import { storageSettings } from '../../stack/config/storage.js';
import { BlobStore } from '../../stack/storage/blobs.js';
import { storageApp } from '../../stack/storage/service.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { anonClient, createUser, serviceClient, withDb, type TestUser } from './support.js';

const publicBucket = `img-pub-${randomUUID().slice(0, 8)}`;
const privateBucket = `img-priv-${randomUUID().slice(0, 8)}`;
const url = (p: string) => `${stack().apiUrl}/storage/v1${p}`;
let alice: TestUser;
let bob: TestUser;

/** A real 1200x800 photo-like JPEG (a gradient with noise), made by libvips. */
async function jpeg(width = 1200, height = 800, hue = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x + hue) & 0xff;
      raw[i + 1] = y & 0xff;
      raw[i + 2] = (x * y + hue) & 0xff;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

async function decoded(data: Blob | ArrayBuffer | Response): Promise<{ width?: number; height?: number; format?: string; bytes: Buffer }> {
  const bytes = Buffer.from(data instanceof Response ? await data.arrayBuffer() : data instanceof Blob ? await data.arrayBuffer() : data);
  const meta = await sharp(bytes).metadata();
  return { width: meta.width, height: meta.height, format: meta.format, bytes };
}

beforeAll(async () => {
  alice = await createUser('alice');
  bob = await createUser('bob');
  const admin = serviceClient();
  expect((await admin.storage.createBucket(publicBucket, { public: true })).error).toBeNull();
  expect((await admin.storage.createBucket(privateBucket, { public: false })).error).toBeNull();
  const photo = await jpeg();
  expect((await admin.storage.from(publicBucket).upload('feed/photo.jpg', photo, { contentType: 'image/jpeg', cacheControl: '3600' })).error).toBeNull();
  expect((await admin.storage.from(privateBucket).upload(`${alice.id}/avatar.jpg`, photo, { contentType: 'image/jpeg' })).error).toBeNull();
  expect((await admin.storage.from(publicBucket).upload('notes.txt', 'not an image', { contentType: 'text/plain' })).error).toBeNull();
  // Alice reads her own folder of the private bucket; nobody else reads it.
  await withDb((db) =>
    db.query(`create policy "${privateBucket} owners read their folder" on storage.objects for select to authenticated
      using (bucket_id = '${privateBucket}' and (storage.foldername(name))[1] = (select auth.uid())::text)`),
  );
});

afterAll(async () => {
  const admin = serviceClient();
  await withDb((db) => db.query(`drop policy if exists "${privateBucket} owners read their folder" on storage.objects`));
  for (const b of [publicBucket, privateBucket]) {
    await admin.storage.emptyBucket(b);
    await admin.storage.deleteBucket(b);
  }
});

describe('image transformations through storage-js', () => {
  it('getPublicUrl with transform serves a 300x300 cover crop, WebP when the client accepts it', async () => {
    const { data } = anonClient().storage.from(publicBucket).getPublicUrl('feed/photo.jpg', { transform: { width: 300, height: 300, resize: 'cover' } });
    expect(data.publicUrl).toContain('/render/image/public/');
    const webp = await fetch(data.publicUrl, { headers: { Accept: 'image/avif,image/webp,*/*' } });
    expect(webp.status).toBe(200);
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect(webp.headers.get('cache-control')).toBe('max-age=3600');
    expect(webp.headers.get('vary')).toBe('Accept');
    const image = await decoded(webp);
    expect(image).toMatchObject({ width: 300, height: 300, format: 'webp' });
    expect(Number(webp.headers.get('content-length'))).toBe(image.bytes.length);
    // No WebP in Accept: the source's own format.
    const plain = await decoded(await fetch(data.publicUrl, { headers: { Accept: 'image/jpeg' } }));
    expect(plain).toMatchObject({ width: 300, height: 300, format: 'jpeg' });
  });

  it('contain fits inside the box keeping the aspect ratio, fill stretches to it, one side scales the other', async () => {
    const store = anonClient().storage.from(publicBucket);
    const get = async (transform: Record<string, unknown>) => decoded(await fetch(store.getPublicUrl('feed/photo.jpg', { transform }).data.publicUrl));
    expect(await get({ width: 300, height: 300, resize: 'contain' })).toMatchObject({ width: 300, height: 200 });
    expect(await get({ width: 300, height: 300, resize: 'fill' })).toMatchObject({ width: 300, height: 300 });
    expect(await get({ width: 600 })).toMatchObject({ width: 600, height: 400 });
    expect(await get({ height: 100, format: 'origin' })).toMatchObject({ width: 150, height: 100, format: 'jpeg' });
  });

  it('format avif and a quality are applied; a lower quality is a smaller file', async () => {
    const store = anonClient().storage.from(publicBucket);
    const avif = await decoded(await fetch(store.getPublicUrl('feed/photo.jpg', { transform: { width: 200, format: 'avif' as never } }).data.publicUrl));
    expect(avif.format).toBe('heif');
    expect(avif.width).toBe(200);
    const q = async (quality: number) => (await decoded(await fetch(store.getPublicUrl('feed/photo.jpg', { transform: { width: 400, quality } }).data.publicUrl, { headers: { Accept: 'image/webp' } }))).bytes.length;
    expect(await q(20)).toBeLessThan(await q(100));
  });

  it('download with transform reads through RLS: the owner gets the thumbnail, another user and anon are refused', async () => {
    const transform = { width: 120, height: 120, resize: 'cover' as const };
    const mine = await alice.client.storage.from(privateBucket).download(`${alice.id}/avatar.jpg`, { transform });
    expect(mine.error).toBeNull();
    expect(await decoded(mine.data!)).toMatchObject({ width: 120, height: 120 });
    const theirs = await bob.client.storage.from(privateBucket).download(`${alice.id}/avatar.jpg`, { transform });
    expect(theirs.error).not.toBeNull();
    const res = await fetch(url(`/render/image/authenticated/${privateBucket}/${alice.id}/avatar.jpg?width=120`), { headers: { Authorization: `Bearer ${bob.token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: '404', error: 'not_found', message: 'Object not found' });
    const anon = await fetch(url(`/render/image/authenticated/${privateBucket}/${alice.id}/avatar.jpg?width=120`));
    expect(anon.status).toBe(400);
    expect((await anon.json()).message).toBe("headers must have required property 'authorization'");
    // A private bucket has no public render either.
    const pub = await fetch(url(`/render/image/public/${privateBucket}/${alice.id}/avatar.jpg?width=120`));
    expect(await pub.json()).toMatchObject({ statusCode: '404', error: 'Bucket not found' });
  });

  it('createSignedUrl with transform signs the transformation: the URL renders it and the query cannot change it', async () => {
    const signed = await alice.client.storage.from(privateBucket).createSignedUrl(`${alice.id}/avatar.jpg`, 60, { transform: { width: 64, height: 64 } });
    expect(signed.error).toBeNull();
    expect(signed.data!.signedUrl).toContain('/render/image/sign/');
    const res = await fetch(signed.data!.signedUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('expires')).toBeTruthy();
    expect(await decoded(res)).toMatchObject({ width: 64, height: 64 });
    const widened = await decoded(await fetch(`${signed.data!.signedUrl}&width=1000&height=1000`));
    expect(widened).toMatchObject({ width: 64, height: 64 });
    // Bob cannot sign what he cannot read.
    expect((await bob.client.storage.from(privateBucket).createSignedUrl(`${alice.id}/avatar.jpg`, 60, { transform: { width: 64 } })).error).not.toBeNull();
    // A token for one path does not open another.
    const token = new URL(signed.data!.signedUrl).searchParams.get('token');
    const other = await fetch(url(`/render/image/sign/${publicBucket}/feed/photo.jpg?token=${token}`));
    expect(await other.json()).toMatchObject({ code: 'InvalidSignature' });
  });

  it('a changed object gives a new variant, and the ETag follows the object', async () => {
    const admin = serviceClient();
    const path = `feed/changing-${randomUUID().slice(0, 6)}.jpg`;
    await admin.storage.from(publicBucket).upload(path, await jpeg(400, 400, 0), { contentType: 'image/jpeg' });
    const link = anonClient().storage.from(publicBucket).getPublicUrl(path, { transform: { width: 100 } }).data.publicUrl;
    const first = await fetch(link);
    const firstBytes = Buffer.from(await first.arrayBuffer());
    expect((await sharp(firstBytes).metadata()).width).toBe(100);
    const again = await fetch(link, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await admin.storage.from(publicBucket).update(path, await jpeg(800, 200, 97), { contentType: 'image/jpeg' })).error).toBeNull();
    const second = await fetch(link);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    const image = await decoded(second);
    expect(image).toMatchObject({ width: 100, height: 25 });
    expect(image.bytes.equals(firstBytes)).toBe(false);
  });

  it('a client cycling through parameters cannot fill the disk: a version keeps at most 32 variants, the rest are still served', async () => {
    const admin = serviceClient();
    const name = `feed/many-${randomUUID().slice(0, 6)}.jpg`;
    await admin.storage.from(publicBucket).upload(name, await jpeg(200, 200, 5), { contentType: 'image/jpeg' });
    for (let width = 10; width < 50; width++) {
      const res = await fetch(url(`/render/image/public/${publicBucket}/${name}?width=${width}&format=origin`));
      expect(res.status).toBe(200);
      expect((await decoded(res)).width).toBe(width);
    }
    const { version } = (await withDb((db) => db.query('select version from storage.objects where bucket_id = $1 and name = $2', [publicBucket, name]))).rows[0];
    expect(readdirSync(path.join(stack().dataDir, 'storage', 'variants', version)).length).toBe(32);
    // Replacing the object takes its variants with it.
    await admin.storage.from(publicBucket).update(name, await jpeg(200, 200, 9), { contentType: 'image/jpeg' });
    expect(existsSync(path.join(stack().dataDir, 'storage', 'variants', version))).toBe(false);
  });

  it('variants lost from disk under a running stack are made again, never a 500', async () => {
    const admin = serviceClient();
    const name = `feed/lost-${randomUUID().slice(0, 6)}.jpg`;
    await admin.storage.from(publicBucket).upload(name, await jpeg(200, 200, 3), { contentType: 'image/jpeg' });
    const render = (width: number) => fetch(url(`/render/image/public/${publicBucket}/${name}?width=${width}&format=origin`));
    expect((await render(40)).status).toBe(200);
    const { version } = (await withDb((db) => db.query('select version from storage.objects where bucket_id = $1 and name = $2', [publicBucket, name]))).rows[0];
    rmSync(path.join(stack().dataDir, 'storage', 'variants', version), { recursive: true, force: true });
    // the one it had made, and a new one whose folder is gone
    for (const width of [40, 41]) {
      const res = await render(width);
      expect(res.status).toBe(200);
      expect((await decoded(res)).width).toBe(width);
    }
  });

  it('limits and bad parameters answer with Storage errors, never a 500', async () => {
    const base = url(`/render/image/public/${publicBucket}/feed/photo.jpg`);
    const cases: Array<[string, string]> = [
      ['?width=-1', 'querystring/width must be >= 0'],
      ['?width=abc', 'querystring/width must be integer'],
      ['?quality=10', 'querystring/quality must be >= 20'],
      ['?quality=101', 'querystring/quality must be <= 100'],
      ['?resize=stretch', 'querystring/resize must be equal to one of the allowed values'],
      ['?format=png', 'querystring/format must be equal to one of the allowed values'],
    ];
    for (const [query, message] of cases) {
      const res = await fetch(base + query);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: '400', message });
    }
    // Sides are clamped to Storage's maximum, and an image is never enlarged.
    const big = await decoded(await fetch(`${base}?width=99999`));
    expect(big.width).toBe(1200);
    const notImage = await fetch(url(`/render/image/public/${publicBucket}/notes.txt?width=10`));
    expect(notImage.status).toBe(400);
    expect(await notImage.json()).toMatchObject({ statusCode: '400', code: 'InvalidRequest', message: 'The source image is invalid or unsupported for rendering' });
    // 50 megapixels is the most a source may have.
    const admin = serviceClient();
    const huge = await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#808080' } }).png({ compressionLevel: 9 }).toBuffer();
    expect((await admin.storage.from(publicBucket).upload('huge.png', huge, { contentType: 'image/png' })).error).toBeNull();
    const tooMany = await fetch(url(`/render/image/public/${publicBucket}/huge.png?width=100`));
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ statusCode: '400', message: 'The source image resolution is too large to process' });
    const missing = await fetch(url(`/render/image/public/${publicBucket}/nope.jpg?width=10`));
    expect(await missing.json()).toMatchObject({ statusCode: '404', message: 'Object not found' });
  });
});

describe('[storage.image_transformation] enabled', () => {
  it('is off when the section is absent (as the CLI), and the render routes then answer FeatureNotEnabled', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-img-'));
    try {
      mkdirSync(path.join(dir, 'supabase'));
      writeFileSync(path.join(dir, 'supabase', 'config.toml'), '[storage]\nenabled = true\n');
      const config = loadConfig({ rootDir: dir }, {});
      expect(storageSettings(config).imageTransformation).toBe(false);
      writeFileSync(path.join(dir, 'supabase', 'config.toml'), '[storage.image_transformation]\nenabled = true\n');
      expect(storageSettings(loadConfig({ rootDir: dir }, {})).imageTransformation).toBe(true);
      // Pools that are never connected: a disabled route answers before any query.
      const pool = new pg.Pool({ max: 1 });
      const app = storageApp({ config, adminPool: pool, apiPool: pool, blobs: new BlobStore(path.join(dir, 'storage')), globalFileSizeLimit: 1024, log: pino({ level: 'silent' }) });
      const res = await app.request('/render/image/public/avatars/a.png?width=10');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'FeatureNotEnabled', message: 'The feature imageTransformation is not enabled for this resource' });
      await pool.end();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
