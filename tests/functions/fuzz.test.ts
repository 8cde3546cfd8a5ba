import { beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { seeded } from '../support/fuzz.js';
import { form, png, signUp } from './support.js';

// The two edge functions take hostile bodies with a 4xx in their JSON error format, never a 5xx,
// and keep serving. Seeded: the same requests every run. (password-reset's rate limits answer
// 429 once a sender has asked too often, which is a 4xx too.)


const VALUES: unknown[] = [
  null, 0, -1, 1.5, 1e308, true, '', ' ', '\u0000', 'é😀', 'a'.repeat(5000), [], ['x'], {}, { nested: { deep: [1] } },
  'not-an-email', 'user@example.com', '../../etc/passwd', '<script>', 'request', 'reset', 'avatar', 'post', '-1', '1e9',
];

beforeAll(async () => {
  for (const fn of ['password-reset', 'media']) await (await fetch(`${stack().apiUrl}/functions/v1/${fn}`, { method: 'OPTIONS' })).arrayBuffer();
}, 240_000);

describe('edge functions under hostile input', () => {
  it('password-reset answers every hostile body with a 2xx or 4xx JSON answer', async () => {
    const { apiUrl, anonKey } = stack();
    const { rand: next, pick } = seeded(7);
    for (let i = 0; i < 60; i++) {
      const body = next() < 0.15
        ? pick(['{"action":', 'null', '[]', 'action=request', ''])
        : JSON.stringify(Object.fromEntries(['action', 'email', 'token', 'password', 'redirect_to'].filter(() => next() < 0.6).map((k) => [k, pick(VALUES)])));
      const res = await fetch(`${apiUrl}/functions/v1/password-reset`, {
        method: pick(['POST', 'POST', 'PUT', 'GET']),
        headers: { apikey: anonKey, authorization: `Bearer ${anonKey}`, 'content-type': pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']) },
        ...(body ? { body } : {}),
      }).catch(() => null);
      // a GET with a body is refused by fetch itself
      if (!res) continue;
      const text = await res.text();
      expect(res.status, `${body.slice(0, 100)} → ${text.slice(0, 200)}`).toBeLessThan(500);
    }
  });

  it('media answers every hostile multipart or body with a 2xx or a 4xx JSON answer, and still accepts a real upload', async () => {
    const alice = await signUp('fuzz');
    const token = alice.accessToken;
    const { rand: next, pick } = seeded(11);
    for (let i = 0; i < 40; i++) {
      let body: BodyInit;
      const headers: Record<string, string> = { apikey: stack().anonKey, authorization: `Bearer ${token}` };
      if (next() < 0.7) {
        const form = new FormData();
        for (const k of ['kind', 'post_id', 'extra']) if (next() < 0.7) form.append(k, String(pick(VALUES)));
        if (next() < 0.7) form.append('file', new Blob([pick(['', 'GIF89a', '\x89PNG\r\n\x1a\n', 'plain text', '\u0000'.repeat(64)])], { type: pick(['image/png', 'text/plain', '', 'video/mp4']) }), pick(['a.png', '', '../x.png', 'é.mp4']));
        body = form;
      } else {
        body = pick(['{}', 'garbage', '--x\r\nContent-Disposition: form-data; name="kind"\r\n\r\navatar\r\n--x--', '']);
        headers['content-type'] = pick(['multipart/form-data; boundary=x', 'application/json', 'multipart/form-data']);
      }
      const res = await fetch(`${stack().apiUrl}/functions/v1/media`, { method: 'POST', headers, body });
      const text = await res.text();
      expect(res.status, text.slice(0, 200)).toBeLessThan(500);
      // an input that happens to be a real image is stored; anything else is refused in JSON
      if (res.status >= 400) expect(() => JSON.parse(text)).not.toThrow();
    }
    const real = await alice.client.functions.invoke('media', { body: form({ kind: 'avatar' }, { bytes: png(900), name: 'me.png', type: 'image/png' }) });
    expect(real.error).toBeNull();
  });
});
