import assert from 'node:assert/strict';
import { judge } from './detect.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
// An ISO-BMFF 'ftyp' box with the mp42 brand: what an MP4 starts with.
const MP4 = Uint8Array.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32, 0, 0, 0, 0, 0x6d, 0x70, 0x34, 0x32, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65]);
const HTML = new TextEncoder().encode('<!doctype html><html><body><script>alert(1)</script></body></html>');

Deno.test('a PNG avatar is an image', async () => {
  assert.deepEqual(await judge(PNG, 'me.png', 'image/png', 'avatar'), { ok: true, type: { mime: 'image/png', kind: 'image', extension: 'png' } });
});

Deno.test('a JPEG named .jpeg with no declared type is accepted', async () => {
  const v = await judge(JPEG, 'photo.jpeg', '', 'post');
  assert.equal(v.ok && v.type.mime, 'image/jpeg');
});

Deno.test('an MP4 is a video for a post but not an avatar', async () => {
  const post = await judge(MP4, 'clip.mp4', 'video/mp4', 'post');
  assert.equal(post.ok && post.type.kind, 'video');
  const avatar = await judge(MP4, 'clip.mp4', 'video/mp4', 'avatar');
  assert.equal(avatar.ok, false);
});

Deno.test('a PNG named .mp4 is refused', async () => {
  const v = await judge(PNG, 'movie.mp4', 'video/mp4', 'post');
  assert.equal(v.ok, false);
  assert.match(!v.ok ? v.reason : '', /does not match its name/);
});

Deno.test('HTML named .jpg is refused', async () => {
  const v = await judge(HTML, 'cat.jpg', 'image/jpeg', 'post');
  assert.deepEqual(v, { ok: false, reason: 'The file is not a supported image or video' });
});

Deno.test('a declared type that contradicts the bytes is refused', async () => {
  const v = await judge(PNG, 'noext', 'image/gif', 'avatar');
  assert.equal(v.ok, false);
});
