import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionFinder, type FunctionsSettings } from '../../stack/functions/config.js';
import { FunctionsHost } from '../../stack/functions/host.js';
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
  // The fixtures as a project's supabase/functions/ in the CLI's default layout, with one config entry.
  const find = functionFinder(path.dirname(dir), { public: { verify_jwt: false } });
  const settings: FunctionsSettings = {
    find,
    jwtSecret: SECRET,
    env: { SUPABASE_URL: 'http://127.0.0.1:1', SUPABASE_ANON_KEY: 'anon', SUPABASE_SERVICE_ROLE_KEY: 'service', SUPABASE_DB_URL: 'postgresql://db' },
    requestTimeoutMs: 1500,
    bootTimeoutMs: 60_000,
    idleTimeoutMs: 60_000,
  };
  host = new FunctionsHost(settings, pino({ level: 'silent' }));
  app = new Hono();
  app.route(BASE_PATH, functionsApp(host, pino({ level: 'silent' })));
  token = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
});

afterAll(async () => {
  await host?.close();
  if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('functions host', () => {
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
