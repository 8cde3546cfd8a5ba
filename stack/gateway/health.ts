import { performance } from 'node:perf_hooks';
import { withoutPaths } from '../errors.js';

export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
}

export interface ComponentHealth {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

const TIMEOUT_MS = 2000;

async function probe(component: HealthCheck): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      component.check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS))),
    ]);
    return { status: 'up', latency_ms: round(performance.now() - started) };
  } catch (err) {
    return { status: 'down', latency_ms: round(performance.now() - started), error: withoutPaths((err as Error).message) };
  } finally {
    clearTimeout(timer);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Every component probed in parallel; the whole is healthy only when each one is up. */
export async function checkHealth(components: HealthCheck[]) {
  const results = await Promise.all(components.map(async (c) => [c.name, await probe(c)] as const));
  const healthy = results.every(([, r]) => r.status === 'up');
  return { healthy, body: { status: healthy ? 'healthy' : 'unhealthy', components: Object.fromEntries(results) } };
}
