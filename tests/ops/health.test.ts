import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/test-stack.js';

interface Health {
  status: string;
  components: Record<string, { status: 'up' | 'down'; latency_ms: number; error?: string }>;
}

async function health(apiUrl: string): Promise<{ code: number; body: Health }> {
  const res = await fetch(`${apiUrl}/health`);
  return { code: res.status, body: (await res.json()) as Health };
}

/** Polls /health until `done` holds; returns the answer and how long it took. */
async function waitFor(apiUrl: string, done: (h: { code: number; body: Health }) => boolean, limitMs: number) {
  const started = Date.now();
  for (;;) {
    const h = await health(apiUrl);
    if (done(h)) return { ...h, ms: Date.now() - started };
    if (Date.now() - started > limitMs) return { ...h, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A stack of its own: this test stops its Postgres, which the shared test stack must never see.
describe('GET /health under a Postgres outage', () => {
  let own: TestStack;
  beforeAll(async () => {
    own = await startTestStack();
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('lists every component with status and latency, 200 while all are up', async () => {
    const { code, body } = await health(own.info.apiUrl);
    expect(code).toBe(200);
    expect(body.status).toBe('healthy');
    expect(body.components.postgres).toMatchObject({ status: 'up' });
    expect(typeof body.components.postgres.latency_ms).toBe('number');
    expect(Object.keys(body.components)).toEqual(expect.arrayContaining(['postgres', 'rest', 'auth', 'storage', 'realtime', 'functions', 'inbox']));
    for (const c of Object.values(body.components)) expect(c).toMatchObject({ status: 'up', latency_ms: expect.any(Number) });
    expect(body.components).not.toHaveProperty('ops');
  });

  it('turns 503 with postgres down within 5 s of Postgres stopping, and 200 again once it is back, without a restart', async () => {
    const { apiUrl } = own.info;
    await own.stack.cluster.stop();
    const down = await waitFor(apiUrl, (h) => h.code === 503 && h.body.components.postgres?.status === 'down', 5000);
    expect(down.code).toBe(503);
    expect(down.body.status).toBe('unhealthy');
    expect(down.body.components.postgres.status).toBe('down');
    expect(down.body.components.postgres.error).toBeTruthy();
    expect(down.ms).toBeLessThanOrEqual(5000);

    await own.stack.cluster.start();
    const up = await waitFor(apiUrl, (h) => h.code === 200, 10_000);
    expect(up.body.components.postgres.status).toBe('up');
    expect(up.code).toBe(200);
    expect(Object.values(up.body.components).every((c) => c.status === 'up')).toBe(true);

    // The pools reconnected: requests that need the database work again.
    const { rows } = await own.stack.adminPool.query('select 1 as ok');
    expect(rows[0].ok).toBe(1);
    const { anonKey } = own.info;
    const rest = await fetch(`${apiUrl}/rest/v1/posts?limit=1`, { headers: { apikey: anonKey, authorization: `Bearer ${anonKey}` } });
    expect(rest.status).toBe(200);
  });
});
