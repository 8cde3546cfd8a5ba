import { describe, expect, it } from 'vitest';
import { functionErrors, functionInvocations, realtimeConnections, realtimeLag, registry } from '../../stack/gateway/metrics.js';
import { stack } from '../support/env.js';

/** The value of one sample line of a Prometheus text page, e.g. `name{a="b"}`. */
function sample(page: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    const have = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** The metrics page, asked for with the service key as Supabase's metrics endpoint takes it (HTTP Basic). */
function metrics(): Promise<Response> {
  const { apiUrl, serviceRoleKey } = stack();
  return fetch(`${apiUrl}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`service_role:${serviceRoleKey}`).toString('base64')}` } });
}

describe('GET /metrics', () => {
  it('answers 401 without the service key, with the anon key or a wrong one, and 200 with it (Basic, apikey or Bearer)', async () => {
    const { apiUrl, anonKey, serviceRoleKey } = stack();
    const basic = (user: string, key: string) => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
    for (const headers of [
      {},
      { apikey: anonKey },
      { authorization: `Bearer ${anonKey}` },
      { authorization: basic('service_role', anonKey) },
      { authorization: basic('anon', serviceRoleKey) },
      { authorization: basic('service_role', `${serviceRoleKey}x`) },
    ] as Record<string, string>[]) {
      const res = await fetch(`${apiUrl}/metrics`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(await res.text()).not.toMatch(/agora_/);
    }
    for (const headers of [{ authorization: basic('service_role', serviceRoleKey) }, { apikey: serviceRoleKey }, { authorization: `Bearer ${serviceRoleKey}` }] as Record<string, string>[]) {
      const res = await fetch(`${apiUrl}/metrics`, { headers });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/agora_http_requests_total/);
    }
    expect((await fetch(`${apiUrl}/health`)).status).toBe(200);
  });

  it('serves Prometheus text with request counts and latency by component and status', async () => {
    const { apiUrl } = stack();
    await fetch(`${apiUrl}/health`);
    const before = await (await metrics()).text();
    const count = sample(before, 'agora_http_requests_total', { component: 'health', method: 'GET', status: '200' }) ?? 0;
    await fetch(`${apiUrl}/health`);
    const res = await metrics();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const page = await res.text();
    expect(sample(page, 'agora_http_requests_total', { component: 'health', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(count + 1);
    expect(sample(page, 'agora_http_request_duration_seconds_count', { component: 'health', status: '200' })).toBeGreaterThanOrEqual(count + 1);
    expect(page).toMatch(/agora_http_request_duration_seconds_bucket\{le="0\.005",.*component="health"/);
  });

  it('reports the pools\' total, idle and waiting connections and their limits', async () => {
    const page = await (await metrics()).text();
    for (const pool of ['admin', 'rest', 'storage', 'realtime']) {
      for (const state of ['total', 'idle', 'waiting']) expect(sample(page, 'agora_db_pool_connections', { pool, state })).toBeGreaterThanOrEqual(0);
    }
    expect(sample(page, 'agora_db_pool_max_connections', { pool: 'rest' })).toBeGreaterThan(0);
    expect(sample(page, 'agora_db_pool_connections', { pool: 'admin', state: 'total' })).toBeGreaterThan(0);
  });

  it('labels unknown paths as "other" so random URLs cannot create new series', async () => {
    const { apiUrl } = stack();
    await fetch(`${apiUrl}/random-${Date.now()}`);
    const page = await (await metrics()).text();
    expect(page).not.toMatch(/component="random-/);
    expect(sample(page, 'agora_http_requests_total', { component: 'other', status: '404' })).toBeGreaterThanOrEqual(1);
  });

  it('exposes the realtime and function hooks other services update', async () => {
    realtimeConnections.inc();
    realtimeConnections.inc();
    realtimeConnections.dec();
    realtimeLag.set(0.25);
    functionInvocations.inc({ function: 'media', status: '200' });
    functionErrors.inc({ function: 'media', reason: 'timeout' });
    const page = await registry.metrics();
    expect(sample(page, 'agora_realtime_connections', {})).toBe(1);
    expect(sample(page, 'agora_realtime_replication_lag_seconds', {})).toBe(0.25);
    expect(sample(page, 'agora_function_invocations_total', { function: 'media', status: '200' })).toBe(1);
    expect(sample(page, 'agora_function_errors_total', { function: 'media', reason: 'timeout' })).toBe(1);
  });
});
