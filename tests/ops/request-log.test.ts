import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../../stack/gateway/app.js';
import { currentRequestId, runWithRequestContext } from '../../stack/db/request-id.js';
import { transaction } from '../../stack/db/transaction.js';
import { log } from '../../stack/log.js';
import { stack } from '../support/env.js';

/** A gateway in this process whose request lines are captured. */
function gatewayWithLog(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const log = pino({ level, timestamp: pino.stdTimeFunctions.isoTime }, sink);
  const app = createGateway(
    [
      {
        name: 'rest',
        health: async () => {},
        mount: (a) => {
          a.get('/rest/v1/posts', (c) => c.json({ fromContext: c.get('requestId'), fromStorage: currentRequestId() }));
          a.get('/rest/v1/broken', () => {
            throw new Error('boom');
          });
        },
      },
    ],
    { log, serviceKey: 'unused-here' },
  );
  return { app, lines };
}

async function userToken(sub: string): Promise<string> {
  return new SignJWT({ role: 'authenticated', sub }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(stack().jwtSecret));
}

describe('request logs', () => {
  it('writes one JSON line per request with time, id, method, path, status, duration and component', async () => {
    const { app, lines } = gatewayWithLog();
    const res = await app.request('/rest/v1/posts?select=id&token=secret');
    expect(res.status).toBe(200);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ msg: 'request', method: 'GET', path: '/rest/v1/posts', status: 200, component: 'rest', level: 30 });
    expect(new Date(String(line.time)).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(line.request_id).toBe(res.headers.get('x-request-id'));
    expect(typeof line.duration_ms).toBe('number');
    // the query string (which can carry tokens) is never logged
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('names the role and user id of a bearer token, and only the role of the anon key', async () => {
    const { app, lines } = gatewayWithLog();
    const sub = '7d4e3f0a-1b2c-4d5e-8f90-123456789abc';
    await app.request('/rest/v1/posts', { headers: { apikey: stack().anonKey, authorization: `Bearer ${await userToken(sub)}` } });
    await app.request('/rest/v1/posts', { headers: { apikey: stack().anonKey } });
    expect(lines[0]).toMatchObject({ role: 'authenticated', user_id: sub });
    expect(lines[1]).toMatchObject({ role: 'anon' });
    expect(lines[1]).not.toHaveProperty('user_id');
  });

  it('logs a failing request at error level with status 500', async () => {
    const { app, lines } = gatewayWithLog();
    const res = await app.request('/rest/v1/broken');
    expect(res.status).toBe(500);
    expect(lines[0]).toMatchObject({ level: 50, status: 500, component: 'rest', msg: 'request failed', err: { message: 'boom' } });
  });

  it('logs a node-postgres error without the connection object it carries', () => {
    const serializers = (log as unknown as Record<symbol, Record<string, (e: unknown) => Record<string, unknown>>>)[pino.symbols.serializersSym];
    const err = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', client: { socket: 'x'.repeat(5000) } });
    const line = JSON.stringify(serializers.err(err));
    expect(line).toContain('57P01');
    expect(line).toContain('terminating connection');
    expect(line.length).toBeLessThan(2000);
  });

  it('writes no request lines when the level is warn', async () => {
    const { app, lines } = gatewayWithLog('warn');
    await app.request('/rest/v1/posts');
    expect(lines).toHaveLength(0);
  });
});

describe('request ids', () => {
  it('keeps the caller\'s x-request-id and hands it to handlers', async () => {
    const { app } = gatewayWithLog();
    const res = await app.request('/rest/v1/posts', { headers: { 'x-request-id': 'trace-42' } });
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    expect(await res.json()).toEqual({ fromContext: 'trace-42', fromStorage: 'trace-42' });
  });

  it('replaces an unacceptable x-request-id with a fresh UUID', async () => {
    const { app } = gatewayWithLog();
    const res = await app.request('/rest/v1/posts', { headers: { 'x-request-id': 'has spaces\tand "quotes"' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is returned by the running stack, also on a 404', async () => {
    const a = await fetch(`${stack().apiUrl}/health`);
    const b = await fetch(`${stack().apiUrl}/no-such-thing`, { headers: { 'x-request-id': 'abc-123' } });
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.status).toBe(404);
    expect(b.headers.get('x-request-id')).toBe('abc-123');
  });

  it('tags a transaction so pg_stat_activity shows the request id, and only for that transaction', async () => {
    // one connection, so the query after the transaction runs where the transaction ran
    const pool = new pg.Pool({ connectionString: stack().dbUrl, application_name: 'ops-test', max: 1 });
    try {
      const inside = await runWithRequestContext({ requestId: 'req-7f3a' }, () =>
        transaction(pool, async (tx) => (await tx.query(
          `select application_name, current_setting('request.id', true) as id, pg_backend_pid() as pid from pg_stat_activity where pid = pg_backend_pid()`,
        )).rows[0]),
      );
      const after = await pool.query(`select current_setting('application_name') as name, current_setting('request.id', true) as id, pg_backend_pid() as pid`);
      expect(inside).toMatchObject({ application_name: 'agora req-7f3a', id: 'req-7f3a' });
      expect(after.rows[0].pid).toBe(inside.pid);
      expect(after.rows[0].name).toBe('ops-test');
      expect(after.rows[0].id || null).toBeNull();
    } finally {
      await pool.end();
    }
  });
});
