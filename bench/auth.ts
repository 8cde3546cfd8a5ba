// npm run bench:auth — password sign-ins and refresh-token grants per second against /auth/v1 on
// loopback, with the bcrypt cost of the stored hashes, beside two baselines measured in the same
// run: GET /auth/v1/health (the HTTP + gateway floor) and bare bcrypt comparisons (the CPU floor
// of a sign-in). The stack runs in this process on a throwaway data dir.
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { bcryptCost } from '../stack/auth/password.js';
import { startTestStack } from '../tests/support/test-stack.js';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const MAX_REQUESTS = 2000;

interface Result {
  name: string;
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
}

/** Runs `worker` from `concurrency` loops until the time or request budget is spent. */
async function measure(name: string, concurrency: number, worker: (loop: number) => Promise<void>): Promise<Result> {
  const latencies: number[] = [];
  const started = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (performance.now() - started < DURATION_MS && issued < MAX_REQUESTS) {
        issued++;
        const t = performance.now();
        await worker(loop);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { name, count: latencies.length, seconds, perSecond: latencies.length / seconds, p50: pct(0.5), p95: pct(0.95) };
}

async function post(url: string, apikey: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { apikey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

const test = await startTestStack();
try {
  const { apiUrl, anonKey, dbUrl } = test.info;
  const auth = `${apiUrl}/auth/v1`;
  const users = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const email = `bench-${i}-${Date.now()}@example.com`;
      const session = await post(`${auth}/signup`, anonKey, { email, password: 'bench-password-1' });
      return { email, refresh: session.refresh_token as string };
    }),
  );
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const { rows } = await db.query<{ encrypted_password: string }>('select encrypted_password from auth.users where email = $1', [users[0].email]);
  await db.end();
  const hash = rows[0].encrypted_password;

  const results: Result[] = [];
  results.push(await measure('GET /health (baseline)', 4, async () => void (await (await fetch(`${auth}/health`)).json())));
  results.push(await measure('bcrypt compare, in process (baseline)', 1, async () => void (await bcrypt.compare('bench-password-1', hash))));
  results.push(
    await measure('POST /token?grant_type=password', 4, async (loop) => {
      await post(`${auth}/token?grant_type=password`, anonKey, { email: users[loop % users.length].email, password: 'bench-password-1' });
    }),
  );
  results.push(
    await measure('POST /token?grant_type=refresh_token', 8, async (loop) => {
      const u = users[loop % users.length];
      u.refresh = (await post(`${auth}/token?grant_type=refresh_token`, anonKey, { refresh_token: u.refresh })).refresh_token as string;
    }),
  );

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`\n/auth/v1 on loopback, ${DURATION_MS / 1000} s per measurement (at most ${MAX_REQUESTS} requests), client and stack in one Node process`);
  out(`bcrypt cost of stored hashes: ${bcryptCost(hash)} (${hash.slice(0, 7)}…, GoTrue's DefaultCost), bcryptjs (pure JS)\n`);
  out('what                                      req/s     p50 ms   p95 ms   n');
  for (const r of results) {
    out(`${r.name.padEnd(40)} ${r.perSecond.toFixed(1).padStart(7)}  ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}  ${r.count}`);
  }
  const [health, bc, signIn, refresh] = results;
  out('');
  out(`sign-in  / bcrypt baseline: ${(signIn.perSecond / bc.perSecond).toFixed(2)}x (a sign-in costs one bcrypt compare; concurrency 4 on ${(await import('node:os')).cpus().length} cores)`);
  out(`refresh  / health baseline: ${(refresh.perSecond / health.perSecond).toFixed(2)}x`);
  out(`sign-in  / health baseline: ${(signIn.perSecond / health.perSecond).toFixed(3)}x`);
} finally {
  await test.stop();
}
