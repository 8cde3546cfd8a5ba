import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';

// /rest/v1 is served on Node's request and response ahead of the Hono app (stack/gateway/lane.ts).
// What the gateway promises every request holds there as on the app's routes.

/** A raw HTTP exchange: the path is sent exactly as written (fetch would resolve `..` itself). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(stack().apiUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the REST lane', () => {
  it('is chosen by the path after dot segments are resolved, as the router resolves them', async () => {
    const { anonKey } = stack();
    const intoRest = await raw('/auth/v1/../../rest/v1/posts?select=id&limit=1', { apikey: anonKey });
    expect(intoRest.status).toBe(200);
    expect(intoRest.headers['content-range']).toMatch(/^(\d+-\d+|\*)\/\*$/);
    const outOfRest = await raw('/rest/v1/../../auth/v1/settings', { apikey: anonKey });
    expect(outOfRest.status).toBe(200);
    expect(JSON.parse(outOfRest.body)).toHaveProperty('external');
    // one segment up from /rest/v1 is still not /rest/v1
    expect((await raw('/rest/v1/../posts', { apikey: anonKey })).status).toBe(404);
  });

  it('describes itself at its own address when the Host header is not a plain host', async () => {
    const { anonKey } = stack();
    const port = new URL(stack().apiUrl).port;
    const plain = await raw('/rest/v1/', { apikey: anonKey, host: `api.example.test:${port}` });
    expect(JSON.parse(plain.body).host).toBe(`api.example.test:${port}`);
    const odd = await raw('/rest/v1/', { apikey: anonKey, host: 'bad host/<x>' });
    expect(odd.status).toBe(200);
    expect(JSON.parse(odd.body).host).toBe('127.0.0.1');
  });

  it('serves a request target in absolute form (http://host/path) as the same path', async () => {
    const { anonKey, apiUrl } = stack();
    const res = await raw(`${apiUrl}/rest/v1/posts?select=id&limit=1`, { apikey: anonKey });
    expect(res.status).toBe(200);
    expect(res.headers['content-range']).toMatch(/\/\*$/);
  });

  it('leaves a path with a backslash to the app, which refuses it as before', async () => {
    expect((await raw('/rest\\v1/posts', { apikey: stack().anonKey })).status).toBe(400);
  });

  it('answers with the request id, an exact Content-Length and no body for HEAD', async () => {
    const { anonKey } = stack();
    const get = await raw('/rest/v1/posts?select=id&limit=2', { apikey: anonKey, 'x-request-id': 'lane-7' });
    expect(get.headers['x-request-id']).toBe('lane-7');
    expect(Number(get.headers['content-length'])).toBe(Buffer.byteLength(get.body));
    expect(get.headers['transfer-encoding']).toBeUndefined();
    const head = await raw('/rest/v1/posts?select=id&limit=2', { apikey: anonKey }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the bare prefix (the OpenAPI root) and a trailing slash alike', async () => {
    const { anonKey } = stack();
    for (const path of ['/rest/v1', '/rest/v1/']) {
      const res = await raw(path, { apikey: anonKey });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe('application/openapi+json; charset=utf-8');
    }
  });
});
