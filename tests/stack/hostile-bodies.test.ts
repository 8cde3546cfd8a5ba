import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { deepJsonArray, sendHugeBody } from '../support/hostile-bodies.js';

// Bodies no component should ever hold: four 80 MB uploads at once (with and without a key,
// with and without a declared length) and one 200,000-deep JSON array. Each gets a 4xx in the
// component's format, and a plain GET by key every 20 ms keeps answering correctly meanwhile.

const MB = 1024 * 1024;

describe('hostile request bodies', () => {
  it('4 concurrent 80 MB bodies and a 200,000-deep array each get a 4xx while GETs keep working', async () => {
    const { apiUrl, anonKey } = stack();
    const keyed = { apikey: anonKey, authorization: `Bearer ${anonKey}` };
    let done = false;
    const gets: Array<{ status: number; json: unknown }> = [];
    const poller = (async () => {
      while (!done) {
        // a read whose answer no other test changes
        const res = await fetch(`${apiUrl}/rest/v1/profiles?select=id&id=eq.00000000-0000-0000-0000-000000000000`, { headers: keyed });
        gets.push({ status: res.status, json: await res.json() });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const uploads = await Promise.all([
      sendHugeBody(`${apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: true, headers: keyed }),
      sendHugeBody(`${apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: false, headers: keyed }),
      sendHugeBody(`${apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: true }),
      sendHugeBody(`${apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: false }),
      fetch(`${apiUrl}/rest/v1/posts`, { method: 'POST', headers: { ...keyed, 'content-type': 'application/json' }, body: deepJsonArray(200_000) })
        .then(async (r) => ({ status: r.status, body: await r.text() })),
    ]);
    done = true;
    await poller;
    for (const u of uploads.slice(0, 4)) {
      expect(u.status).toBe(413);
      expect(JSON.parse(u.body)).toEqual({ message: 'Request size limit exceeded' });
    }
    expect(uploads[4].status).toBe(400);
    expect(JSON.parse(uploads[4].body)).toMatchObject({ code: 'PGRST102' });
    expect(gets.length).toBeGreaterThan(0);
    for (const g of gets) expect(g).toEqual({ status: 200, json: [] });
  }, 120_000);

  it('auth, storage, realtime and functions refuse an oversized body with a 413 in their own format', async () => {
    const { apiUrl, anonKey, serviceRoleKey } = stack();
    const keyed = { apikey: anonKey, authorization: `Bearer ${anonKey}` };
    const service = { apikey: serviceRoleKey, authorization: `Bearer ${serviceRoleKey}` };
    const [auth, storage, realtime, functions] = await Promise.all([
      sendHugeBody(`${apiUrl}/auth/v1/signup`, 8 * MB, { declareLength: false, headers: keyed }),
      sendHugeBody(`${apiUrl}/storage/v1/bucket`, 8 * MB, { declareLength: false, headers: service }),
      sendHugeBody(`${apiUrl}/realtime/v1/api/broadcast`, 8 * MB, { declareLength: false, headers: keyed }),
      sendHugeBody(`${apiUrl}/functions/v1/password-reset`, 40 * MB, { declareLength: true, headers: keyed }),
    ]);
    expect(auth.status).toBe(413);
    expect(JSON.parse(auth.body)).toMatchObject({ code: 413, error_code: 'request_entity_too_large' });
    // Storage renders client errors as HTTP 400 with the real status in the body
    expect(storage.status).toBe(400);
    expect(JSON.parse(storage.body)).toMatchObject({ statusCode: '413', code: 'EntityTooLarge' });
    expect(realtime.status).toBe(413);
    expect(JSON.parse(realtime.body)).toEqual({ message: 'Payload too large' });
    expect(functions.status).toBe(413);
    expect(JSON.parse(functions.body)).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
  }, 60_000);

  it('deeply nested JSON is a 4xx in auth, storage and realtime too', async () => {
    const { apiUrl, anonKey, serviceRoleKey } = stack();
    const deep = `{"email":"deep@x.test","password":"deep-password","data":${deepJsonArray(100_000)}}`;
    const auth = await fetch(`${apiUrl}/auth/v1/signup`, { method: 'POST', headers: { apikey: anonKey, 'content-type': 'application/json' }, body: deep });
    expect(auth.status).toBe(400);
    expect(await auth.json()).toMatchObject({ error_code: 'bad_json' });
    const storage = await fetch(`${apiUrl}/storage/v1/bucket`, {
      method: 'POST', headers: { apikey: serviceRoleKey, authorization: `Bearer ${serviceRoleKey}`, 'content-type': 'application/json' }, body: `{"name":${deepJsonArray(100_000)}}`,
    });
    expect(storage.status).toBe(400);
    const realtime = await fetch(`${apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST', headers: { apikey: anonKey, authorization: `Bearer ${anonKey}`, 'content-type': 'application/json' },
      body: `{"messages":[{"topic":"t","event":"e","payload":${deepJsonArray(100_000)}}]}`,
    });
    expect(realtime.status).toBe(400);
  });
});
