import assert from 'node:assert/strict';
import { resetEmail, resetLink } from './email.ts';
import { passwordProblems } from './policy.ts';

Deno.test('a good password has no problems', () => {
  assert.deepEqual(passwordProblems('correct horse 42'), []);
});

Deno.test('short, digitless, letterless and padded passwords are named', () => {
  assert.deepEqual(passwordProblems('abc1'), ['at least 8 characters']);
  assert.deepEqual(passwordProblems('abcdefghij'), ['a digit']);
  assert.deepEqual(passwordProblems('1234567890'), ['a letter']);
  assert.deepEqual(passwordProblems(' abcdefg12'), ['no leading or trailing spaces']);
  assert.ok(passwordProblems('é1'.repeat(40)).includes('at most 72 bytes'));
});

Deno.test('the reset link is <site_url>/reset-password?token=<token>', () => {
  assert.equal(resetLink('http://127.0.0.1:3000', 'abc'), 'http://127.0.0.1:3000/reset-password?token=abc');
  assert.equal(resetLink('https://agora.example/app/', 'a b'), 'https://agora.example/app/reset-password?token=a+b');
});

Deno.test('the reset mail carries the link, escaped in HTML', () => {
  const mail = resetEmail('a@b.c', 'http://x/reset-password?token=1&x="2"', 60);
  assert.ok(mail.text.includes('http://x/reset-password?token=1&x="2"'));
  assert.ok(mail.html.includes('href="http://x/reset-password?token=1&amp;x=&quot;2&quot;"'));
  assert.equal(mail.kind, 'password_reset');
});
