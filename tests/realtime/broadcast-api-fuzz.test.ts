import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { seeded } from '../support/fuzz.js';

// The REST broadcast endpoints take hostile bodies, topics, events and headers with a 4xx (or a
// 202 where the input happens to be valid), never a 5xx, and keep serving. Seeded: the same
// requests every run.


const HOSTILE: unknown[] = [
  null, 0, -1, 1e308, true, 'x', '', '\u0000', '\u202e', 'é😀', 'a'.repeat(20_000), [], [null], {}, { a: { b: { c: [1] } } },
  { messages: null }, { messages: {} }, { messages: [null] }, { messages: [{}] }, { messages: [{ topic: 1, event: [], payload: 'x' }] },
  { messages: [{ topic: 't', event: 'e', payload: {}, private: 'yes' }] }, { messages: Array.from({ length: 101 }, () => ({ topic: 't', event: 'e', payload: {} })) },
];
const TOPICS = ['room', '%00', '%E0%A4%A', 'a%2Fb', '..', 'x'.repeat(300), '%F0%9F%98%80'];
const TYPES = ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1'];

describe('REST broadcast under hostile input', () => {
  it('answers 2xx or 4xx to every request and keeps serving', async () => {
    const { apiUrl, anonKey } = stack();
    const { rand: next, pick } = seeded(20261126);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 150; i++) {
      const single = next() < 0.5;
      const body = next() < 0.15 ? '{"unterminated' : JSON.stringify(pick(HOSTILE)) ?? '';
      const auth = pick([`Bearer ${anonKey}`, 'Bearer not.a.jwt', 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.', '', 'Basic abc']);
      const url = single
        ? `${apiUrl}/realtime/v1/api/broadcast/${pick(TOPICS)}/events/${pick(TOPICS)}${next() < 0.5 ? '?private=true' : ''}`
        : `${apiUrl}/realtime/v1/api/broadcast`;
      const headers: Record<string, string> = { apikey: anonKey };
      const type = pick(TYPES);
      if (type) headers['content-type'] = type;
      if (auth) headers.authorization = auth;
      const res = await fetch(url, { method: 'POST', headers, body });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `${url} ${type} ${body.slice(0, 80)}`).toBeLessThan(500);
    }
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    const ok = await fetch(`${apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: anonKey, authorization: `Bearer ${anonKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: 'fuzz-done', event: 'e', payload: { ok: true } }] }),
    });
    expect(ok.status).toBe(202);
  });
});
