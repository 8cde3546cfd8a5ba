import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { createUser, png, serviceClient } from './support.js';

const url = (p: string) => `${stack().apiUrl}/storage/v1${p}`;

function post(token: string, path: string, body: unknown) {
  return fetch(url(path), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('copy and move apply the destination bucket\'s rules as uploads do', () => {
  for (const type of ['application/xhtml+xml', 'image/svg+xml', 'Text/HTML; charset=utf-8']) {
    it(`a PNG copied into avatars as ${type} is refused with InvalidMimeType and nothing is written`, async () => {
      const alice = await createUser('alice');
      expect((await alice.client.storage.from('post-media').upload(`${alice.id}/a.png`, png(), { contentType: 'image/png' })).error).toBeNull();
      const res = await post(alice.token, '/object/copy', {
        bucketId: 'post-media', sourceKey: `${alice.id}/a.png`, destinationBucket: 'avatars', destinationKey: `${alice.id}/page`,
        copyMetadata: false, metadata: { mimetype: type },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ statusCode: '415', code: 'InvalidMimeType', error: 'invalid_mime_type', message: `mime type ${type} is not supported` });
      expect((await alice.client.storage.from('avatars').exists(`${alice.id}/page`)).data).toBe(false);
    });
  }

  it('an object of a type the destination does not allow is refused on copy and on move (same bucket rules too)', async () => {
    const admin = serviceClient();
    const open = `open-${randomBytes(4).toString('hex')}`;
    expect((await admin.storage.createBucket(open, { public: false })).error).toBeNull();
    expect((await admin.storage.from(open).upload('doc.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { contentType: 'image/svg+xml' })).error).toBeNull();
    const copy = await admin.storage.from(open).copy('doc.svg', 'x.svg', { destinationBucket: 'avatars' });
    expect(copy.error).toMatchObject({ statusCode: '415', message: 'mime type image/svg+xml is not supported' });
    const move = await admin.storage.from(open).move('doc.svg', 'x.svg', { destinationBucket: 'avatars' });
    expect(move.error).toMatchObject({ statusCode: '415', message: 'mime type image/svg+xml is not supported' });
    expect((await admin.storage.from(open).exists('doc.svg')).data).toBe(true);
    expect((await admin.storage.from('avatars').exists('x.svg')).data).toBe(false);
  });

  it('an object above the destination\'s size limit is refused with EntityTooLarge on copy and on move', async () => {
    const alice = await createUser('alice');
    const media = alice.client.storage.from('post-media');
    expect((await media.upload(`${alice.id}/big.png`, png(3 * 1024 * 1024), { contentType: 'image/png' })).error).toBeNull();
    const body = { bucketId: 'post-media', sourceKey: `${alice.id}/big.png`, destinationBucket: 'avatars', destinationKey: `${alice.id}/big.png` };
    for (const route of ['/object/copy', '/object/move']) {
      const res = await post(alice.token, route, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: '413', error: 'Payload too large' });
    }
    expect((await media.exists(`${alice.id}/big.png`)).data).toBe(true);
    expect((await alice.client.storage.from('avatars').exists(`${alice.id}/big.png`)).data).toBe(false);
  });

  it('a PNG within the rules is still copied and moved into avatars', async () => {
    const alice = await createUser('alice');
    expect((await alice.client.storage.from('post-media').upload(`${alice.id}/ok.png`, png(), { contentType: 'image/png' })).error).toBeNull();
    expect((await post(alice.token, '/object/copy', { bucketId: 'post-media', sourceKey: `${alice.id}/ok.png`, destinationBucket: 'avatars', destinationKey: `${alice.id}/c.png` })).status).toBe(200);
    expect((await post(alice.token, '/object/move', { bucketId: 'post-media', sourceKey: `${alice.id}/ok.png`, destinationBucket: 'avatars', destinationKey: `${alice.id}/m.png` })).status).toBe(200);
  });
});
