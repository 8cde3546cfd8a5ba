import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionFinder, type FunctionsSettings } from '../../stack/functions/config.js';
import { FunctionsHost } from '../../stack/functions/host.js';
import { JwtKeys } from '../../stack/jwt/keys.js';
import { BASE_PATH, functionsApp } from '../../stack/functions/service.js';

const SECRET = 'a-test-secret-with-at-least-32-characters';
const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');
let dir: string;
let host: FunctionsHost;
let app: Hono;
let token: string;

function call(pathname: string, init: RequestInit = {}, auth = true): Promise<Response> {
  const headers = new Headers(init.headers);
  if (auth && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  return Promise.resolve(app.request(`http://127.0.0.1${BASE_PATH}${pathname}`, { ...init, headers }));
}

beforeAll(async () => {
  // A copy, so the hot-reload test can edit a function without touching the repository.
  dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'agora-functions-')), 'functions');
  cpSync(fixtures, dir, { recursive: true });
  token = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  // The fixtures as a project's supabase/functions/ in the CLI's default layout, with one config entry.
  const find = functionFinder(path.dirname(dir), { public: { verify_jwt: false } });
  const settings: FunctionsSettings = {
    find,
    jwtKeys: new JwtKeys({ jwtSecret: SECRET, signingKeys: [], anonKey: token, serviceRoleKey: 'service', publishableKey: 'sb_publishable_x', secretKey: 'sb_secret_x' }),
    env: { SUPABASE_URL: 'http://127.0.0.1:1', SUPABASE_ANON_KEY: 'anon', SUPABASE_SERVICE_ROLE_KEY: 'service', SUPABASE_DB_URL: 'postgresql://db' },
    maxBodyBytes: 64 * 1024,
    requestTimeoutMs: 1500,
    bootTimeoutMs: 60_000,
    idleTimeoutMs: 60_000,
  };
  host = new FunctionsHost(settings, pino({ level: 'silent' }));
  app = new Hono();
  app.route(BASE_PATH, functionsApp(host, pino({ level: 'silent' })));
});

afterAll(async () => {
  await host?.close();
  if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('functions host', () => {
  it('answers a body over the cap 413, whether declared or streamed without a length, and keeps serving', async () => {
    const declared = await call('/echo', { method: 'POST', body: 'x'.repeat(64 * 1024 + 1) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
    const chunk = new Uint8Array(16 * 1024).fill(120);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        sent += chunk.byteLength;
        if (sent > 1024 * 1024) ctrl.close();
        else ctrl.enqueue(chunk);
      },
    });
    const streamed = await call('/echo', { method: 'POST', body: endless, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ code: 'REQUEST_TOO_LARGE' });
    // the relay stopped reading well before the end
    expect(sent).toBeLessThan(1024 * 1024);
    const ok = await call('/echo', { method: 'POST', body: 'x'.repeat(64 * 1024) });
    expect(ok.status).toBe(200);
    expect((await ok.json()).body).toHaveLength(64 * 1024);
  });

  it('runs functions/<name>/index.ts with Deno.serve and passes method, path, query and body', async () => {
    const res = await call('/echo/sub/path?x=1', { method: 'POST', body: 'hello' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ method: 'POST', path: '/echo/sub/path', query: '?x=1', body: 'hello', authorization: `Bearer ${token}` });
  });

  it('injects the SUPABASE_* environment and nothing of the host\'s own', async () => {
    const body = await (await call('/echo')).json();
    expect(body.env).toEqual({ SUPABASE_URL: 'http://127.0.0.1:1', SUPABASE_ANON_KEY: 'anon', SUPABASE_SERVICE_ROLE_KEY: 'service', SUPABASE_DB_URL: 'postgresql://db', HOME: null });
  });

  it('verify_jwt refuses a missing, malformed or forged token with 401, and is off where configured', async () => {
    const none = await call('/echo', {}, false);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ msg: 'Error: Missing authorization header' });
    const basic = await call('/echo', { headers: { authorization: 'Basic abc' } });
    expect(await basic.json()).toEqual({ msg: "Error: Auth header is not 'Bearer {token}'" });
    const forged = await new SignJWT({ role: 'service_role' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-another-secret-another'));
    const bad = await call('/echo', { headers: { authorization: `Bearer ${forged}` } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ msg: 'Invalid JWT' });
    const open = await call('/public', {}, false);
    expect(open.status).toBe(200);
    expect(await open.text()).toBe('public');
  });

  it('a publishable key (apikey, and as Bearer as supabase-js sends it) passes verify_jwt and reaches the function as the anon JWT, as the CLI\'s gateway hands it on', async () => {
    const res = await call('/echo', { headers: { apikey: 'sb_publishable_x', authorization: 'Bearer sb_publishable_x' } });
    expect(res.status).toBe(200);
    expect((await res.json()).authorization).toBe(`Bearer ${token}`);
  });

  it('a CORS preflight is answered by the gateway, as Kong does on Supabase: any requested header allowed, the function not called', async () => {
    const res = await call('/echo', {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-custom, x-region' },
    }, false);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('x-custom, x-region');
    expect(await res.text()).toBe('');
  });

  it('every answer to a request with an Origin allows any origin, relay errors included', async () => {
    const refused = await call('/echo', { headers: { origin: 'http://example.test' } }, false);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    const missing = await call('/nope', { headers: { origin: 'http://example.test' } });
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a bearer value that is not a JWT is refused with the relay\'s words', async () => {
    const res = await call('/echo', { headers: { authorization: 'Bearer abc' } }, false);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ msg: 'TypeError: Invalid Token or Protected Header formatting' });
  });

  it('the function sees the request\'s Content-Length', async () => {
    const res = await call('/echo', { method: 'POST', body: 'seven!!', headers: { 'content-length': '7' } });
    const seen = await res.json();
    expect(seen).toMatchObject({ body: 'seven!!', contentLength: '7' });
  });

  it('an unknown function is 404 "Function not found"', async () => {
    const res = await call('/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Function not found');
    expect((await call('/_shared')).status).toBe(404);
  });

  it('a function that fails to load answers 503 BOOT_ERROR', async () => {
    const res = await call('/broken');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
  });

  it('a crash fails only that request; the next one gets a fresh worker', async () => {
    const first = await (await call('/crash')).text();
    const crashed = await call('/crash?mode=exit');
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toEqual({ code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' });
    const thrown = await call('/crash?mode=throw');
    expect(thrown.status).toBe(500);
    const again = await call('/crash');
    expect(again.status).toBe(200);
    expect(await again.text()).not.toBe(first);
  });

  it('a request past the time limit gets 546 WORKER_LIMIT; a stuck worker is replaced, others keep serving', async () => {
    const before = await (await call('/hang')).text();
    const [spun, echoed] = await Promise.all([call('/hang?mode=spin'), call('/echo')]);
    expect(spun.status).toBe(546);
    expect(await spun.json()).toMatchObject({ code: 'WORKER_LIMIT' });
    expect(echoed.status).toBe(200);
    const after = await call('/hang');
    expect(after.status).toBe(200);
    expect(await after.text()).not.toBe(before);

    // A request that merely waits times out, but its (responsive) worker stays.
    const waited = await call('/hang?mode=wait');
    expect(waited.status).toBe(546);
    const same = await (await call('/hang')).text();
    expect(same).toBe(await (await call('/hang')).text());
  });

  it('picks up changed code without a restart', async () => {
    expect((await (await call('/echo')).json()).version).toBe(1);
    const file = path.join(dir, 'echo', 'index.ts');
    const { readFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: 1', 'version: 2'));
    expect((await (await call('/echo')).json()).version).toBe(2);
    expect(host.running()).toContain('echo');
  });
});
