// npm run bench:realtime — commit-to-delivery latency of postgres_changes under RLS, and the
// memory an idle realtime connection costs. The stack runs in a child process (so its memory is
// its own); subscribers are bare Phoenix 2.0.0 websockets in this process.
//
//   baseline: 1 subscriber, 200 changes          main: 100 subscribers (100 users), 1000 changes
//   one-user: 100 subscribers sharing one user's token, 500 changes (fan-out without per-user checks)
//   then the figures at scale (bench/realtime-scale.ts); BENCH_PART=scale|fanout|changes runs one part.
// Every change is visible to every subscriber through a policy that joins a membership table, so
// each change costs one RLS check per user. Latency = receipt time − the change's commit_timestamp.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import pg from 'pg';
import WebSocket from 'ws';
import { runFanoutOnly, runScaleBench } from './realtime-scale.js';
import { ask, forkStack } from './support/forked-stack.js';

interface StackInfo {
  apiUrl: string;
  dbUrl: string;
  anonKey: string;
  jwtSecret: string;
}

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 1000);
const RATE_PER_SECOND = Number(process.env.BENCH_RATE ?? 100);
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE ?? 500);
/** Sockets the scale part opens at once at most: its idle sockets, or its subscribers plus a publisher. */
const SCALE_SOCKETS = Math.max(Number(process.env.BENCH_IDLE_SOCKETS ?? 10_000), Number(process.env.BENCH_SOCKETS ?? 2_000) + 1);

// ---------------------------------------------------------------- child: the stack
if (process.env.BENCH_ROLE === 'stack') {
  const { startTestStack } = await import('../tests/support/test-stack.js');
  const test = await startTestStack();
  const memory = () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
  };
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'memory') process.send!({ type: 'memory', value: memory() });
    if (msg.type === 'stop') {
      await test.stop();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', value: test.info });
  await new Promise(() => {});
}

// ---------------------------------------------------------------- parent: the clients
function startStackProcess(): Promise<{ child: ChildProcess; info: StackInfo }> {
  // Hundreds of sockets and joins from one client: above Realtime's per-tenant defaults.
  return forkStack(fileURLToPath(import.meta.url), {
    AGORA_REALTIME_MAX_CONCURRENT_USERS: String(IDLE_CONNECTIONS + SUBSCRIBERS + SCALE_SOCKETS + 10), AGORA_REALTIME_MAX_JOINS_PER_SECOND: '100000',
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Subscriber {
  ws: WebSocket;
  latencies: number[];
}

/** When each INSERT (by its `n`) returned to the inserting client, i.e. was durable. */
const acked = new Map<number, number>();
/** Receipt time minus that: what a subscriber waits once the writer has its answer. */
const sinceAck: number[] = [];
const insertMs: number[] = [];

async function subscribe(info: StackInfo, table: string, token: string, topic: string, latencies: number[]): Promise<Subscriber> {
  const ws = new WebSocket(`${info.apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${info.anonKey}&vsn=2.0.0`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const subscribed = new Promise<void>((resolve, reject) => {
    ws.on('message', (raw) => {
      const [, , , event, payload] = JSON.parse(String(raw));
      if (event === 'postgres_changes') {
        const now = Date.now();
        latencies.push(now - Date.parse(payload.data.commit_timestamp));
        const ack = acked.get(payload.data.record.n);
        if (ack !== undefined) sinceAck.push(Math.max(0, now - ack));
      }
      else if (event === 'system' && payload.extension === 'postgres_changes') (payload.status === 'ok' ? resolve() : reject(new Error(payload.message)));
      else if (event === 'phx_reply' && payload.status !== 'ok') reject(new Error(JSON.stringify(payload)));
    });
  });
  const config = {
    broadcast: { self: false, ack: false },
    presence: { key: '', enabled: false },
    postgres_changes: [{ event: 'INSERT', schema: 'public', table }],
    private: false,
  };
  ws.send(JSON.stringify(['1', '1', `realtime:${topic}`, 'phx_join', { config, access_token: token }]));
  await subscribed;
  return { ws, latencies };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Run {
  label: string;
  afterAckP95: number;
  insertP50: number;
  insertP95: number;
  subscribers: number;
  changes: number;
  expected: number;
  delivered: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  seconds: number;
}

async function run(info: StackInfo, db: pg.Pool, table: string, tokens: string[], changes: number, label: string): Promise<Run> {
  const latencies: number[] = [];
  acked.clear();
  sinceAck.length = 0;
  insertMs.length = 0;
  const subs: Subscriber[] = [];
  for (let i = 0; i < tokens.length; i++) subs.push(await subscribe(info, table, tokens[i], `bench-${label}-${i}`, latencies));
  const started = Date.now();
  const interval = 1000 / RATE_PER_SECOND;
  for (let i = 0; i < changes; i++) {
    const due = started + i * interval;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const t = Date.now();
    await db.query(`insert into public.${table} (n) values ($1)`, [i]);
    acked.set(i, Date.now());
    insertMs.push(Date.now() - t);
  }
  const expected = changes * tokens.length;
  const deadline = Date.now() + 30_000;
  while (latencies.length < expected && Date.now() < deadline) await sleep(50);
  const seconds = (Date.now() - started) / 1000;
  for (const s of subs) s.ws.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const afterAck = [...sinceAck].sort((a, b) => a - b);
  const inserts = [...insertMs].sort((a, b) => a - b);
  return {
    afterAckP95: percentile(afterAck, 95),
    insertP50: percentile(inserts, 50),
    insertP95: percentile(inserts, 95),
    label,
    subscribers: tokens.length,
    changes,
    expected,
    delivered: latencies.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    seconds,
  };
}

async function idleMemory(info: StackInfo, child: ChildProcess, table: string, token: string): Promise<{ rss: number; heap: number; total: number }> {
  // One subscriber first, so the change stream's own footprint is not counted per connection.
  const first = await subscribe(info, table, token, 'idle-first', []);
  await sleep(500);
  const before = await ask<{ rss: number; heapUsed: number; external: number }>(child, 'memory');
  const sockets: WebSocket[] = [];
  for (let i = 0; i < IDLE_CONNECTIONS; i++) sockets.push((await subscribe(info, table, token, `idle-${i}`, [])).ws);
  await sleep(1_000);
  const after = await ask<{ rss: number; heapUsed: number; external: number }>(child, 'memory');
  for (const ws of [first.ws, ...sockets]) ws.close();
  return {
    rss: (after.rss - before.rss) / IDLE_CONNECTIONS,
    heap: (after.heapUsed + after.external - before.heapUsed - before.external) / IDLE_CONNECTIONS,
    total: IDLE_CONNECTIONS,
  };
}

const { child, info } = await startStackProcess();
const db = new pg.Pool({ connectionString: info.dbUrl, max: 2 });
try {
  // BENCH_PART=scale runs only the figures at thousands of sockets (realtime-scale.ts), =fanout only their (b) and (d).
  if (process.env.BENCH_PART !== 'scale' && process.env.BENCH_PART !== 'fanout') {
  const table = `bench_rt_${Date.now().toString(36)}`;
  await db.query(`
    create table public.${table}_members (user_id uuid primary key);
    grant select on public.${table}_members to authenticated;
    create table public.${table} (id bigint generated always as identity primary key, n int not null, created_at timestamptz not null default now());
    alter table public.${table} enable row level security;
    create policy "members read" on public.${table} for select to authenticated
      using (exists (select 1 from public.${table}_members m where m.user_id = (select auth.uid())));
    grant select on public.${table} to authenticated;
    alter publication supabase_realtime add table public.${table};`);
  const secret = new TextEncoder().encode(info.jwtSecret);
  const tokens: string[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const id = randomUUID();
    await db.query(
      `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
       values ($1, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $2, '', '{}', '{}', now(), now())`,
      [id, `bench-${i}-${id}@bench.test`],
    );
    await db.query(`insert into public.${table}_members values ($1)`, [id]);
    const now = Math.floor(Date.now() / 1000);
    tokens.push(await new SignJWT({ sub: id, role: 'authenticated', aud: 'authenticated' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + 3600).sign(secret));
  }

  // Memory first, on a fresh process: later runs leave garbage and freed pages that blur RSS.
  const memory = await idleMemory(info, child, table, tokens[0]);
  const baseline = await run(info, db, table, tokens.slice(0, 1), Math.min(200, CHANGES), 'baseline');
  const main = await run(info, db, table, tokens, CHANGES, 'main');
  // The same fan-out with one identity: one RLS check per change instead of one per subscriber.
  const shared = await run(info, db, table, tokens.map(() => tokens[0]), Math.min(CHANGES, 500), 'one-user');

  const row = (r: Run) =>
    `${r.label.padEnd(9)} ${String(r.subscribers).padStart(4)} subs ${String(r.changes).padStart(5)} changes  delivered ${r.delivered}/${r.expected}  ` +
    `p50 ${r.p50} ms  p95 ${r.p95} ms  p99 ${r.p99} ms  max ${r.max} ms  (${r.seconds.toFixed(1)} s)\n` +
    `          INSERT round trip p50 ${r.insertP50} ms p95 ${r.insertP95} ms; delivery after the INSERT returned p95 ${r.afterAckP95} ms`;
  console.log(`\nrealtime postgres_changes, commit-to-delivery (inserts at ${RATE_PER_SECOND}/s, RLS per user)`);
  console.log(row(baseline));
  console.log(row(main));
  console.log(row(shared));
  console.log(`ratio main/baseline: p50 ×${(main.p50 / Math.max(1, baseline.p50)).toFixed(2)}  p95 ×${(main.p95 / Math.max(1, baseline.p95)).toFixed(2)}`);
  console.log(`goal p95 < 100 ms: ${main.p95 < 100 ? 'met' : 'NOT met'} (${main.p95} ms)`);
  console.log(`\nidle connection (websocket + one joined postgres_changes channel), ${memory.total} of them:`);
  console.log(`  ${(memory.heap / 1024).toFixed(1)} KiB heap+external each, ${(memory.rss / 1024).toFixed(1)} KiB RSS each`);
  if (main.delivered !== main.expected) process.exitCode = 1;
  }
  if (process.env.BENCH_PART === 'fanout') {
    if (!(await runFanoutOnly(info, child))) process.exitCode = 1;
  } else if (process.env.BENCH_PART !== 'changes' && !(await runScaleBench(info, child, db))) process.exitCode = 1;
} finally {
  await db.end();
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
}
