import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { anonClient, bytes, serviceClient } from './support.js';

const name = () => `bucket-${randomUUID().slice(0, 8)}`;

describe('/storage/v1/bucket', () => {
  it('the service role creates, reads, lists, updates, empties and deletes a bucket', async () => {
    const admin = serviceClient();
    const id = name();
    const created = await admin.storage.createBucket(id, { public: false, fileSizeLimit: '1MB', allowedMimeTypes: ['text/plain'] });
    expect(created.error).toBeNull();
    expect(created.data).toEqual({ name: id });

    const got = await admin.storage.getBucket(id);
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({ id, name: id, public: false, file_size_limit: 1_000_000, allowed_mime_types: ['text/plain'] });

    const listed = await admin.storage.listBuckets();
    expect(listed.data?.map((b) => b.id)).toContain(id);
    expect(listed.data?.map((b) => b.id)).toContain('avatars');

    const updated = await admin.storage.updateBucket(id, { public: true, fileSizeLimit: 2048, allowedMimeTypes: null });
    expect(updated.error).toBeNull();
    expect((await admin.storage.getBucket(id)).data).toMatchObject({ public: true, file_size_limit: 2048, allowed_mime_types: null });

    await admin.storage.from(id).upload('a.bin', bytes(10), { contentType: 'application/octet-stream' });
    const notEmpty = await admin.storage.deleteBucket(id);
    expect(notEmpty.error).toMatchObject({ statusCode: '409', message: 'The bucket you tried to delete is not empty' });
    const raw = await fetch(`${stack().apiUrl}/storage/v1/bucket/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${stack().serviceRoleKey}` } });
    expect(await raw.json()).toMatchObject({ statusCode: '409', code: 'InvalidRequest' });

    expect((await admin.storage.emptyBucket(id)).data).toEqual({ message: 'Empty bucket has been queued. Completion may take up to an hour.' });
    expect((await admin.storage.deleteBucket(id)).data).toEqual({ message: 'Successfully deleted' });
    const gone = await admin.storage.getBucket(id);
    expect(gone.error).toMatchObject({ status: 400, statusCode: '404', message: 'Bucket not found' });
  });

  it('getBucket and listBuckets answer with exactly the keys Storage selects, in its order', async () => {
    const admin = serviceClient();
    const id = name();
    expect((await admin.storage.createBucket(id, { public: true })).error).toBeNull();
    const got = await admin.storage.getBucket(id);
    expect(Object.keys(got.data!)).toEqual(['id', 'name', 'owner', 'public', 'file_size_limit', 'allowed_mime_types', 'created_at', 'updated_at']);
    expect(got.data).toMatchObject({ id, name: id, owner: '', public: true, file_size_limit: null, allowed_mime_types: null });
    const listed = (await admin.storage.listBuckets()).data!.find((b) => b.id === id)!;
    expect(Object.keys(listed)).toEqual(['id', 'name', 'owner', 'public', 'type', 'file_size_limit', 'allowed_mime_types', 'created_at', 'updated_at']);
    expect(listed.type).toBe('STANDARD');
    await admin.storage.deleteBucket(id);
  });

  it('emptying a bucket is for the service role only, as on Storage', async () => {
    const admin = serviceClient();
    const id = name();
    expect((await admin.storage.createBucket(id, { public: true })).error).toBeNull();
    const refused = await fetch(`${stack().apiUrl}/storage/v1/bucket/${id}/empty`, { method: 'POST', headers: { Authorization: `Bearer ${stack().anonKey}` } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message: 'Access denied: Invalid role' });
    await admin.storage.deleteBucket(id);
  });

  it('a bucket id that exists already is refused with 409', async () => {
    const admin = serviceClient();
    const id = name();
    await admin.storage.createBucket(id);
    const again = await admin.storage.createBucket(id);
    expect(again.error).toMatchObject({ statusCode: '409', message: 'The resource already exists' });
    await admin.storage.deleteBucket(id);
  });

  it('anon cannot create buckets and sees none (no policies on storage.buckets)', async () => {
    const anon = anonClient();
    const res = await anon.storage.createBucket(name());
    expect(res.error).toMatchObject({ status: 400, statusCode: '403', message: 'new row violates row-level security policy' });
    const listed = await anon.storage.listBuckets();
    expect(listed.data).toEqual([]);
  });

  it('bad input gets a 400 in Storage format', async () => {
    const admin = serviceClient();
    const bad = await admin.storage.createBucket('no/slashes');
    expect(bad.error).toMatchObject({ status: 400, statusCode: '400', message: 'Bucket name invalid' });
    const badSize = await admin.storage.createBucket(name(), { public: false, fileSizeLimit: 'lots' });
    expect(badSize.error).toMatchObject({ status: 400, statusCode: '400' });
  });

  it('requests without a JWT are refused, and a forged one is AccessDenied with jose\'s message', async () => {
    const { apiUrl } = (await import('../support/env.js')).stack();
    const none = await fetch(`${apiUrl}/storage/v1/bucket`);
    expect(none.status).toBe(400);
    // Storage's header schema refuses it before any JWT check: Fastify's validation error, named 'Error'.
    expect(await none.json()).toEqual({ statusCode: '400', code: 'InvalidRequest', error: 'Error', message: "headers must have required property 'authorization'" });
    const forged = await fetch(`${apiUrl}/storage/v1/bucket`, { headers: { Authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message: 'JWS Protected Header is invalid' });
  });
});

describe('tokens naming roles Postgres does not have', () => {
  it('get a 4xx, not a server error', async () => {
    const { SignJWT } = await import('jose');
    const { stack } = await import('../support/env.js');
    const token = await new SignJWT({ role: 'no_such_role' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(stack().jwtSecret));
    const res = await fetch(`${stack().apiUrl}/storage/v1/bucket`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: '403', code: 'AccessDenied' });
  });
});

describe('bucket input Storage refuses', () => {
  const admin = () => ({ Authorization: `Bearer ${stack().serviceRoleKey}` });

  it('a file size limit above [storage] file_size_limit is a 422', async () => {
    const id = name();
    const res = await serviceClient().storage.createBucket(id, { public: false, fileSizeLimit: '51MiB' });
    expect(res.error).toMatchObject({ statusCode: '422', message: 'the requested max_file_size exceed the global limit' });
    expect((await serviceClient().storage.getBucket(id)).error).toMatchObject({ statusCode: '404' });
    expect((await serviceClient().storage.createBucket(id, { public: false, fileSizeLimit: '50MiB' })).error).toBeNull();
    const up = await serviceClient().storage.updateBucket(id, { public: false, fileSizeLimit: 60 * 1024 * 1024 });
    expect(up.error).toMatchObject({ statusCode: '422' });
    await serviceClient().storage.deleteBucket(id);
  });

  it('GET /bucket checks limit, offset, sortColumn and sortOrder as its query schema', async () => {
    for (const [q, message] of [
      ['limit=abc', 'querystring/limit must be integer'],
      ['limit=0', 'querystring/limit must be >= 1'],
      ['offset=-1', 'querystring/offset must be >= 0'],
      ['sortColumn=owner', 'querystring/sortColumn must be equal to one of the allowed values'],
      ['sortOrder=up', 'querystring/sortOrder must be equal to one of the allowed values'],
    ]) {
      const res = await fetch(`${stack().apiUrl}/storage/v1/bucket?${q}`, { headers: admin() });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: '400', message });
    }
    expect((await fetch(`${stack().apiUrl}/storage/v1/bucket?limit=1&sortColumn=id&sortOrder=desc`, { headers: admin() })).status).toBe(200);
  });

  it('a NUL byte in a bucket name or object key, or a line break in a key, is a 4xx in Storage format, not a database error or a 404', async () => {
    for (const p of ['/bucket/a%00b', '/object/avatars/a%00b', '/object/info/avatars/a%00b', '/object/public/avatars/a%00b', '/object/avatars/a%0D%0AX-Injected:%201', '/object/sign/avatars/a%0Ab?token=x']) {
      const res = await fetch(`${stack().apiUrl}/storage/v1${p}`, { headers: admin() });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.statusCode).toBe('400');
      expect(['InvalidBucketName', 'InvalidKey']).toContain(body.code);
    }
  });
});

