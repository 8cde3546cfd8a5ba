import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { anonClient, bytes, createUser, serviceClient } from './support.js';

const publicBucket = `pub-${randomUUID().slice(0, 8)}`;
const privateBucket = `priv-${randomUUID().slice(0, 8)}`;
const url = (p: string) => `${stack().apiUrl}/storage/v1${p}`;

beforeAll(async () => {
  const admin = serviceClient();
  expect((await admin.storage.createBucket(publicBucket, { public: true })).error).toBeNull();
  expect((await admin.storage.createBucket(privateBucket, { public: false })).error).toBeNull();
  for (const b of [publicBucket, privateBucket]) {
    expect((await admin.storage.from(b).upload('dir/file.bin', bytes(100), { contentType: 'application/octet-stream', cacheControl: '300' })).error).toBeNull();
  }
  await admin.storage.from(publicBucket).upload('page.html', '<script>alert(1)</script>', { contentType: 'text/html; charset=utf-8' });
});

afterAll(async () => {
  const admin = serviceClient();
  for (const b of [publicBucket, privateBucket]) {
    await admin.storage.emptyBucket(b);
    await admin.storage.deleteBucket(b);
  }
});

describe('reads from a public bucket skip RLS, as Storage reads them as superuser', () => {
  it('a signed-in user with no SELECT policy on the bucket still downloads, HEADs and reads info', async () => {
    const alice = await createUser('alice');
    const dl = await alice.client.storage.from(publicBucket).download('dir/file.bin');
    expect(dl.error).toBeNull();
    expect(Buffer.from(await dl.data!.arrayBuffer()).equals(bytes(100))).toBe(true);
    const head = await fetch(url(`/object/authenticated/${publicBucket}/dir/file.bin`), { method: 'HEAD', headers: { Authorization: `Bearer ${alice.token}` } });
    expect(head.status).toBe(200);
    const info = await alice.client.storage.from(publicBucket).info('dir/file.bin');
    expect(info.error).toBeNull();
    expect(info.data).toMatchObject({ name: 'dir/file.bin', size: 100 });
  });

  it('GET /object/:bucket/* with no JWT, or a bad one, reads a public bucket as anon', async () => {
    for (const headers of [{}, { Authorization: 'Bearer not.a.jwt' }] as Record<string, string>[]) {
      const res = await fetch(url(`/object/${publicBucket}/dir/file.bin`), { headers });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes(100))).toBe(true);
      const info = await fetch(url(`/object/info/${publicBucket}/dir/file.bin`), { headers });
      expect(info.status).toBe(200);
    }
  });

  it('without a valid JWT a private (or missing) bucket is refused as AccessDenied; the /authenticated/ routes refuse a bad JWT', async () => {
    const res = await fetch(url(`/object/${privateBucket}/dir/file.bin`));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: '403', code: 'AccessDenied', message: 'Access denied to this bucket' });
    const missing = await fetch(url('/object/no-such-bucket-here/file.bin'));
    expect(await missing.json()).toMatchObject({ code: 'AccessDenied' });
    const auth = await fetch(url(`/object/authenticated/${publicBucket}/dir/file.bin`), { headers: { Authorization: 'Bearer not.a.jwt' } });
    expect(auth.status).toBe(400);
    expect(await auth.json()).toMatchObject({ statusCode: '403', code: 'AccessDenied', error: 'Unauthorized' });
  });

  it('a private bucket is still read through RLS: anon with a valid key sees nothing', async () => {
    const dl = await anonClient().storage.from(privateBucket).download('dir/file.bin');
    expect(dl.error).toBeTruthy();
    const res = await fetch(url(`/object/${privateBucket}/dir/file.bin`), { headers: { Authorization: `Bearer ${stack().anonKey}` } });
    expect(await res.json()).toMatchObject({ statusCode: '404', code: 'NoSuchKey' });
  });
});

describe('download headers as Storage renders them', () => {
  const file = () => url(`/object/public/${publicBucket}/dir/file.bin`);

  it('?download= alone is a bare attachment; a name is given encoded twice, ending with ;', async () => {
    const bare = await fetch(`${file()}?download=`);
    expect(bare.headers.get('content-disposition')).toBe('attachment;');
    const named = await fetch(`${file()}?download=${encodeURIComponent('my report.bin')}`);
    expect(named.headers.get('content-disposition')).toBe("attachment; filename=my%20report.bin; filename*=UTF-8''my%20report.bin;");
  });

  it('HTML is served as text/plain', async () => {
    const res = await fetch(url(`/object/public/${publicBucket}/page.html`));
    expect(res.headers.get('content-type')).toBe('text/plain');
    await res.arrayBuffer();
  });

  it('a Range unit is matched case-insensitively', async () => {
    const res = await fetch(file(), { headers: { Range: 'Bytes=2-5' } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes(100).subarray(2, 6))).toBe(true);
  });

  it('If-Modified-Since at or after the last modification is a 304; before it, the object', async () => {
    const full = await fetch(file());
    const lastModified = full.headers.get('last-modified')!;
    await full.arrayBuffer();
    expect((await fetch(file(), { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    const res = await fetch(file(), { headers: { 'If-Modified-Since': earlier } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });

  it('a signed URL download has Expires and no Cache-Control', async () => {
    const signed = await serviceClient().storage.from(privateBucket).createSignedUrl('dir/file.bin', 60);
    const res = await fetch(signed.data!.signedUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('expires')).toBeTruthy();
    expect(res.headers.get('cache-control')).toBeNull();
    await res.arrayBuffer();
    const plain = await fetch(file());
    expect(plain.headers.get('cache-control')).toBe('max-age=300');
    await plain.arrayBuffer();
  });
});

describe('JWTs', () => {
  it('an expired JWT is AccessDenied with jose\'s message', async () => {
    const { accessTokenFor } = await import('./support.js');
    const token = await accessTokenFor(randomUUID(), 'x@storage.test', -60);
    const res = await fetch(url('/bucket'), { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message: '"exp" claim timestamp check failed' });
  });
});

