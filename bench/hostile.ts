// npm run bench:hostile — the gateway under hostile clients, each figure next to the same
// measurement on an idle stack:
//  1. bodies: four 80 MB uploads at once (with and without a key, with and without a declared
//     length) and a 200,000-deep JSON array, batch after batch for HOSTILE_BENCH_SECONDS (default
//     5), while a GET by key runs every 20 ms: p99 of those
//     GETs and the growth of the gateway process's RSS (targets: p99 < 250 ms, growth < 300 MB);
//  2. pools: while 16 anon calls sleep 2.5 s each in REST, the latency of GET /auth/v1/settings,
//     a storage bucket list and a password sign-in (targets: < 500 ms, < 500 ms, < 1.5 s).
// The stack runs in a child process (`--serve`), so its RSS is the gateway's alone.
// HOSTILE_BENCH_SECONDS sets part 1's windows; HOSTILE_BENCH_CPU_PROF=<dir> profiles the stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { deepJsonArray, sendHugeBody } from '../tests/support/hostile-bodies.js';
import { rssMb } from './support/proc.js';
import { type ServedStack, serveStack, startServedStack, stopServedStack } from './support/served-stack.js';
import { percentile } from './support/stats.js';

const MB = 1024 * 1024;
const SLEEPERS = 16;
/** How long each phase of part 1 runs: idle GETs, then hostile batches back to back (HOSTILE_BENCH_SECONDS). */
const PHASE_MS = Number(process.env.HOSTILE_BENCH_SECONDS ?? 5) * 1000;

type ServeInfo = ServedStack;

async function serve(): Promise<void> {
  await serveStack();
  // the gateway's own event-loop delay, reset and reported on request (a line on stdin)
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.stdin.on('data', (d) => {
    for (const cmd of String(d).split('\n')) {
      if (cmd === 'reset') delay.reset();
      if (cmd === 'report') process.stdout.write(`${JSON.stringify({ loopDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 } })}\n`);
    }
  });
}

const p99 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 99);
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** GETs by key every 20 ms while `during` runs (or for `idleMs`); their latencies, and the peak RSS seen. */
async function getsDuring(info: ServeInfo, during: () => Promise<unknown>): Promise<{ latencies: number[]; failures: number; peakRss: number }> {
  const headers = { apikey: info.anonKey, authorization: `Bearer ${info.anonKey}` };
  const latencies: number[] = [];
  let failures = 0;
  let peakRss = rssMb(info.pid);
  let done = false;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(info.pid))), 25);
  const poller = (async () => {
    while (!done) {
      const t = performance.now();
      try {
        const res = await fetch(`${info.apiUrl}/rest/v1/profiles?select=id&limit=1`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await during();
  } finally {
    done = true;
    await poller;
    clearInterval(sampler);
  }
  return { latencies, failures, peakRss };
}

async function hostileBodies(info: ServeInfo): Promise<string[]> {
  const keyed = { apikey: info.anonKey, authorization: `Bearer ${info.anonKey}` };
  const statuses: string[] = [];
  const record = (p: Promise<{ status: number }>) => p.then((r) => statuses.push(String(r.status)), (e) => statuses.push(`error ${(e as Error).message}`));
  await Promise.all([
    record(sendHugeBody(`${info.apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: true, headers: keyed })),
    record(sendHugeBody(`${info.apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: false, headers: keyed })),
    record(sendHugeBody(`${info.apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: true })),
    record(sendHugeBody(`${info.apiUrl}/rest/v1/posts`, 80 * MB, { declareLength: false })),
    record(fetch(`${info.apiUrl}/rest/v1/posts`, { method: 'POST', headers: { ...keyed, 'content-type': 'application/json' }, body: deepJsonArray(200_000) })
      .then(async (r) => (await r.arrayBuffer(), r))),
  ]);
  return statuses;
}

async function timed(run: () => Promise<Response>): Promise<{ ms: number; status: number }> {
  const t = performance.now();
  const res = await run();
  await res.arrayBuffer();
  return { ms: performance.now() - t, status: res.status };
}

/** The three requests of part 2, each timed. */
async function otherComponents(info: ServeInfo, email: string) {
  const settings = await timed(() => fetch(`${info.apiUrl}/auth/v1/settings`, { headers: { apikey: info.anonKey } }));
  const buckets = await timed(() => fetch(`${info.apiUrl}/storage/v1/bucket`, { headers: { apikey: info.serviceRoleKey, authorization: `Bearer ${info.serviceRoleKey}` } }));
  const signIn = await timed(() => fetch(`${info.apiUrl}/auth/v1/token?grant_type=password`, {
    method: 'POST', headers: { apikey: info.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'bench-password-1' }),
  }));
  return { settings, buckets, signIn };
}

/** The stack process's event-loop delay since the last reset (p99 and max, ms). */
function loopDelay(server: ChildProcess, fn: () => Promise<unknown>): Promise<{ p99: number; max: number }> {
  return (async () => {
    server.stdin!.write('reset\n');
    await fn();
    const line = new Promise<{ p99: number; max: number }>((resolve) => {
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d;
        const found = buf.split('\n').find((l) => l.startsWith('{"loopDelay"'));
        if (found) {
          server.stdout!.off('data', onData);
          resolve(JSON.parse(found).loopDelay);
        }
      };
      server.stdout!.on('data', onData);
    });
    server.stdin!.write('report\n');
    return line;
  })();
}

async function run(info: ServeInfo, server: ChildProcess): Promise<void> {
  const admin = new pg.Client({ connectionString: info.dbUrl });
  await admin.connect();
  await admin.query(`create or replace function public.bench_sleep(seconds double precision) returns void language sql as $$ select pg_sleep(seconds) $$;
                     grant execute on function public.bench_sleep(double precision) to anon`);
  await admin.query("notify pgrst, 'reload schema'");
  await admin.end();
  // warm up (connections, schema cache, JWT cache)
  await getsDuring(info, () => new Promise((r) => setTimeout(r, 1000)));

  console.log(`1. Hostile bodies: batches of 4 x 80 MB (keyed/unkeyed, declared/chunked) + a 200,000-deep JSON array for ${PHASE_MS / 1000} s; GET by key every 20 ms`);
  let idle!: Awaited<ReturnType<typeof getsDuring>>;
  const idleLoop = await loopDelay(server, async () => (idle = await getsDuring(info, () => new Promise((r) => setTimeout(r, PHASE_MS)))));
  const idleRss = rssMb(info.pid);
  const statuses = new Map<string, number>();
  let batches = 0;
  // the senders run in a process of their own, so their CPU does not delay the GETs measured here;
  // it is started (and its modules loaded) before the window opens
  const attacker = await startAttacker(info);
  let hostile!: Awaited<ReturnType<typeof getsDuring>>;
  const hostileLoop = await loopDelay(server, async () => (hostile = await getsDuring(info, async () => {
    const result = await attacker.go();
    for (const s of result.statuses) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    batches = result.batches;
  })));
  console.log(`   idle stack:    GET p99 ${ms(p99(idle.latencies))} (${idle.latencies.length} GETs, ${idle.failures} failed); RSS ${idleRss.toFixed(0)} MB, peak growth ${(idle.peakRss - idleRss).toFixed(0)} MB`);
  console.log(`   hostile:       GET p99 ${ms(p99(hostile.latencies))} (${hostile.latencies.length} GETs, ${hostile.failures} failed); RSS peak growth ${(hostile.peakRss - idleRss).toFixed(0)} MB  [targets: p99 < 250 ms, growth < 300 MB]`);
  console.log(`   gateway event-loop delay: idle p99 ${ms(idleLoop.p99)} (max ${ms(idleLoop.max)}), hostile p99 ${ms(hostileLoop.p99)} (max ${ms(hostileLoop.max)})`);
  console.log(`   hostile answers over ${batches} batches: ${[...statuses].map(([s, n]) => `${n} x ${s}`).join(', ')}`);

  console.log(`2. Pools: ${SLEEPERS} anon calls sleeping 2.5 s each in REST`);
  const email = `bench-${Date.now()}@hostile.test`;
  const signUp = await fetch(`${info.apiUrl}/auth/v1/signup`, {
    method: 'POST', headers: { apikey: info.anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'bench-password-1' }),
  });
  await signUp.arrayBuffer();
  const quiet = await otherComponents(info, email);
  const sleepers = Array.from({ length: SLEEPERS }, () =>
    fetch(`${info.apiUrl}/rest/v1/rpc/bench_sleep`, { method: 'POST', headers: { apikey: info.anonKey, 'content-type': 'application/json' }, body: '{"seconds":2.5}' })
      .then(async (r) => (await r.arrayBuffer(), r.status)));
  await new Promise((r) => setTimeout(r, 300));
  const busy = await otherComponents(info, email);
  const sleeperStatuses = await Promise.all(sleepers);
  const line = (name: string, key: 'settings' | 'buckets' | 'signIn', target: string) =>
    console.log(`   ${name.padEnd(22)} idle ${ms(quiet[key].ms).padStart(9)} (${quiet[key].status})   REST busy ${ms(busy[key].ms).padStart(9)} (${busy[key].status})  [target ${target}]`);
  line('GET /auth/v1/settings', 'settings', '< 500 ms');
  line('storage bucket list', 'buckets', '< 500 ms');
  line('password sign-in', 'signIn', '< 1.5 s');
  console.log(`   sleepers answered: ${[...new Set(sleeperStatuses)].join(', ')}`);
}

/**
 * `--attack <stack info JSON>`: prints `ready`, waits for a line on stdin, then sends hostile
 * batches back to back for PHASE_MS and prints what they got.
 */
async function attack(): Promise<void> {
  const info = JSON.parse(process.argv[process.argv.indexOf('--attack') + 1]) as ServeInfo;
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const statuses: string[] = [];
  let batches = 0;
  const until = performance.now() + PHASE_MS;
  while (performance.now() < until) {
    statuses.push(...(await hostileBodies(info)));
    batches++;
  }
  process.stdout.write(`${JSON.stringify({ statuses, batches })}\n`);
  process.exit(0);
}

async function startAttacker(info: ServeInfo): Promise<{ go: () => Promise<{ statuses: string[]; batches: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--attack', JSON.stringify(info)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  while (!out.includes('ready\n')) {
    if (child.exitCode !== null) throw new Error(`attacker exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    go: async () => {
      child.stdin!.write('go\n');
      const code = await exited;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) throw new Error(`attacker exited with ${code}`);
      return JSON.parse(line);
    },
  };
}

async function main(): Promise<void> {
  // HOSTILE_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the stack's process there
  const { child, info } = await startServedStack<ServeInfo>(fileURLToPath(import.meta.url), process.env.HOSTILE_BENCH_CPU_PROF);
  try {
    await run(info, child);
  } finally {
    await stopServedStack(child);
  }
}

await (process.argv.includes('--serve') ? serve() : process.argv.includes('--attack') ? attack() : main());
