import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The stack's Prometheus registry, served at `GET /metrics`. Services import the named metrics
 * below and update them; nothing else needs registering. Names follow Prometheus conventions
 * (`_total` counters, `_seconds` durations, base units).
 */
export const registry = new Registry();
registry.setDefaultLabels({ service: 'agora' });
collectDefaultMetrics({ register: registry, prefix: 'agora_' });

/** Every HTTP request the gateway answered, by component (first path segment), method and status. */
export const httpRequests = new Counter({
  name: 'agora_http_requests_total',
  help: 'HTTP requests answered by the gateway',
  labelNames: ['component', 'method', 'status'] as const,
  registers: [registry],
});

/** Time from the request's arrival until its response headers were ready. */
export const httpDuration = new Histogram({
  name: 'agora_http_request_duration_seconds',
  help: 'HTTP request latency until the response headers are ready',
  labelNames: ['component', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

// --- Hooks for the realtime service (stack/realtime) -------------------------------------------

/** Open realtime websocket connections: `inc()` on connect, `dec()` on close. */
export const realtimeConnections = new Gauge({
  name: 'agora_realtime_connections',
  help: 'Open realtime websocket connections',
  registers: [registry],
});

/** Joined channels across all connections. */
export const realtimeChannels = new Gauge({
  name: 'agora_realtime_channels',
  help: 'Joined realtime channels',
  registers: [registry],
});

/** Messages pushed to clients, by kind (`postgres_changes`, `broadcast`, `presence`). */
export const realtimeMessages = new Counter({
  name: 'agora_realtime_messages_total',
  help: 'Realtime messages sent to clients',
  labelNames: ['kind'] as const,
  registers: [registry],
});

/**
 * How far the change stream is behind: seconds between a change's commit and its delivery
 * (`set()` it as changes arrive, or from the replication slot's lag).
 */
export const realtimeLag = new Gauge({
  name: 'agora_realtime_replication_lag_seconds',
  help: 'Delay between a committed database change and its delivery to realtime clients',
  registers: [registry],
});

// --- Hooks for the edge-function runner (stack/functions) --------------------------------------

/** Function invocations by function name and response status (`'timeout'` / `'crash'` when none). */
export const functionInvocations = new Counter({
  name: 'agora_function_invocations_total',
  help: 'Edge function invocations',
  labelNames: ['function', 'status'] as const,
  registers: [registry],
});

/** Invocations that failed: a 5xx, a crash, or the time limit. */
export const functionErrors = new Counter({
  name: 'agora_function_errors_total',
  help: 'Edge function invocations that crashed, timed out or answered 5xx',
  labelNames: ['function', 'reason'] as const,
  registers: [registry],
});

export const functionDuration = new Histogram({
  name: 'agora_function_duration_seconds',
  help: 'Edge function wall time per invocation',
  labelNames: ['function'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

// --- Database pools ----------------------------------------------------------------------------

const pools = new Map<string, pg.Pool>();

/** Reports a pool's connections as `agora_db_pool_connections{pool, state}` until `unobservePool`. */
export function observePool(name: string, pool: pg.Pool): void {
  pools.set(name, pool);
}

export function unobservePool(name: string, pool: pg.Pool): void {
  if (pools.get(name) === pool) pools.delete(name);
}

new Gauge({
  name: 'agora_db_pool_connections',
  help: 'Postgres pool connections: total open, idle, and requests waiting for one',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [name, pool] of pools) {
      this.set({ pool: name, state: 'total' }, pool.totalCount);
      this.set({ pool: name, state: 'idle' }, pool.idleCount);
      this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
    }
  },
});

new Gauge({
  name: 'agora_db_pool_max_connections',
  help: 'Postgres pool size limit',
  labelNames: ['pool'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [name, pool] of pools) this.set({ pool: name }, pool.options.max ?? 10);
  },
});
