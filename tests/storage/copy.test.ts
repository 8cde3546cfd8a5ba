import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { createUser, png } from './support.js';

const url = (p: string) => `${stack().apiUrl}/storage/v1${p}`;

describe('copy as Storage\'s copyObject', () => {
  it('x-upsert: true replaces an existing destination; without it the copy is refused', async () => {
    const alice = await createUser('alice');
    const b = alice.client.storage.from('post-media');
    await b.upload(`${alice.id}/src.png`, png(300), { contentType: 'image/png' });
    await b.upload(`${alice.id}/dst.png`, png(100), { contentType: 'image/png' });
    const refused = await b.copy(`${alice.id}/src.png`, `${alice.id}/dst.png`);
    expect(refused.error).toMatchObject({ statusCode: '409' });
    const res = await fetch(url('/object/copy'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'application/json', 'x-upsert': 'true' },
      body: JSON.stringify({ bucketId: 'post-media', sourceKey: `${alice.id}/src.png`, destinationKey: `${alice.id}/dst.png` }),
    });
    expect(res.status).toBe(200);
    const info = await b.info(`${alice.id}/dst.png`);
    expect(info.data).toMatchObject({ size: 300 });
  });

  it('copyMetadata: false takes metadata (mimetype, cacheControl) and x-metadata for the copy', async () => {
    const alice = await createUser('alice');
    const b = alice.client.storage.from('post-media');
    await b.upload(`${alice.id}/orig.png`, png(50), { contentType: 'image/png', metadata: { from: 'orig' } });
    const res = await fetch(url('/object/copy'), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${alice.token}`,
        'content-type': 'application/json',
        'x-metadata': Buffer.from(JSON.stringify({ from: 'copy' })).toString('base64'),
      },
      body: JSON.stringify({
        bucketId: 'post-media', sourceKey: `${alice.id}/orig.png`, destinationKey: `${alice.id}/copy.png`,
        copyMetadata: false, metadata: { mimetype: 'image/webp', cacheControl: 'max-age=5' },
      }),
    });
    expect(res.status).toBe(200);
    const info = await b.info(`${alice.id}/copy.png`);
    expect(info.data).toMatchObject({ contentType: 'image/webp', cacheControl: 'max-age=5', metadata: { from: 'copy' } });
    const kept = await b.copy(`${alice.id}/orig.png`, `${alice.id}/kept.png`);
    expect(kept.error).toBeNull();
    expect((await b.info(`${alice.id}/kept.png`)).data).toMatchObject({ contentType: 'image/png', metadata: { from: 'orig' } });
  });
});

describe('upload metadata as Storage\'s uploader reads it', () => {
  it('malformed x-metadata is ignored; a multipart contentType field is the stored type', async () => {
    const alice = await createUser('alice');
    const bad = await fetch(url(`/object/post-media/${alice.id}/bad-meta.png`), {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'image/png', 'x-metadata': 'not base64 json' },
      body: new Uint8Array(png()),
    });
    expect(bad.status).toBe(200);
    const form = new FormData();
    form.append('contentType', 'image/png');
    form.append('metadata', '{not json');
    form.append('', new Blob([new Uint8Array(png())], { type: 'application/octet-stream' }), 'x');
    const up = await fetch(url(`/object/post-media/${alice.id}/typed.png`), { method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: form });
    expect(up.status).toBe(200);
    const info = await alice.client.storage.from('post-media').info(`${alice.id}/typed.png`);
    expect(info.data).toMatchObject({ contentType: 'image/png', metadata: {} });
  });

  it('a content type or cache control no header can carry is refused when written, so the file never becomes unreadable', async () => {
    const alice = await createUser('alice');
    const form = new FormData();
    form.append('contentType', 'image/pngā');
    form.append('', new Blob([new Uint8Array(png())], { type: 'image/png' }), 'x');
    const up = await fetch(url(`/object/post-media/${alice.id}/wide.png`), { method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: form });
    expect(await up.json()).toMatchObject({ statusCode: '400', message: 'Invalid Parameter contentType' });
    const b = alice.client.storage.from('post-media');
    expect((await b.upload(`${alice.id}/src.png`, png(), { contentType: 'image/png' })).error).toBeNull();
    const copy = await fetch(url('/object/copy'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bucketId: 'post-media', sourceKey: `${alice.id}/src.png`, destinationKey: `${alice.id}/wide-copy.png`, copyMetadata: false, metadata: { cacheControl: 'max-age=😀' } }),
    });
    expect(await copy.json()).toMatchObject({ statusCode: '400', message: 'Invalid Parameter metadata' });
    expect((await b.exists(`${alice.id}/wide-copy.png`)).data).toBe(false);
  });

  it('an invalid parameter is MissingParameter "Invalid Parameter <name>"', async () => {
    const alice = await createUser('alice');
    const form = new FormData();
    form.append('cacheControl', 'forever');
    form.append('', new Blob([new Uint8Array(png())], { type: 'image/png' }), 'x');
    const res = await fetch(url(`/object/post-media/${alice.id}/cc.png`), { method: 'POST', headers: { Authorization: `Bearer ${alice.token}` }, body: form });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ statusCode: '400', code: 'MissingParameter', error: 'MissingParameter', message: 'Invalid Parameter cacheControl' });
  });
});
