import assert from 'node:assert/strict';
import { mediaUploadSchema, passwordResetSchema } from './schemas.ts';

const file = new File([new Uint8Array([1])], 'a.png', { type: 'image/png' });

Deno.test('media: an avatar needs a file', () => {
  assert.equal(mediaUploadSchema.safeParse({ kind: 'avatar', file }).success, true);
  assert.equal(mediaUploadSchema.safeParse({ kind: 'avatar', file: 'text' }).success, false);
});

Deno.test('media: a post needs a positive integer post_id (form fields are strings)', () => {
  const ok = mediaUploadSchema.safeParse({ kind: 'post', file, post_id: '42' });
  assert.equal(ok.success && ok.data.kind === 'post' && ok.data.post_id, 42);
  assert.equal(mediaUploadSchema.safeParse({ kind: 'post', file }).success, false);
  assert.equal(mediaUploadSchema.safeParse({ kind: 'post', file, post_id: '-1' }).success, false);
});

Deno.test('media: an unknown kind is refused', () => {
  assert.equal(mediaUploadSchema.safeParse({ kind: 'banner', file }).success, false);
});

Deno.test('password-reset: request normalises the email', () => {
  const r = passwordResetSchema.safeParse({ action: 'request', email: ' Alice@Example.COM ' });
  assert.equal(r.success && r.data.action === 'request' && r.data.email, 'alice@example.com');
  assert.equal(passwordResetSchema.safeParse({ action: 'request', email: 'not-an-email' }).success, false);
});

Deno.test('password-reset: confirm needs a token and a password', () => {
  assert.equal(passwordResetSchema.safeParse({ action: 'confirm', token: 'x'.repeat(43), password: 'new-password-1' }).success, true);
  assert.equal(passwordResetSchema.safeParse({ action: 'confirm', token: 'short', password: 'p' }).success, false);
  assert.equal(passwordResetSchema.safeParse({ action: 'wipe' }).success, false);
});
