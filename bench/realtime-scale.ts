// bench:realtime at scale, each figure beside a bare `ws` server doing the same in the same run:
//   (a) private notifications: SOCKETS sockets, each joined to its own user:<id>:notifications
//       channel (RLS at join), NOTIFY_RATE notifications/s inserted for random recipients for
//       NOTIFY_SECONDS s; delivery latency (receipt − the row's created_at), lost, misdelivered;
//   (b) fan-out: SOCKETS subscribers of one public topic, FANOUT_RATE broadcasts/s for FANOUT_SECONDS s,
//       then a ramp to the highest rate sustained (bench/realtime-fanout.ts);
//   (c) IDLE idle sockets (each joined to one public channel): RSS per socket, time to connect;
//   (d) CPU per delivery (the server's node process, from /proc) during (b).
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type pg from 'pg';
import WebSocket from 'ws';
import { runFanoutBench } from './realtime-fanout.js';
import { ask, profilerFlags } from './support/forked-stack.js';

export interface ScaleStack {
  apiUrl: string;
  anonKey: string;
  jwtSecret: string;
}

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 2_000);
const NOTIFY_RATE = Number(process.env.BENCH_NOTIFY_RATE ?? 1_000);
const NOTIFY_SECONDS = Number(process.env.BENCH_NOTIFY_SECONDS ?? 20);
const FANOUT_RATE = Number(process.env.BENCH_FANOUT_RATE ?? 50);
const FANOUT_SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 10);
const IDLE = Number(process.env.BENCH_IDLE_SOCKETS ?? 10_000);
const CONNECT_CONCURRENCY = 100;
const TICK_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const pcts = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN };
};

async function pool<T>(count: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await make(i);
      }
    }),
  );
  return out;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A stack socket: vsn 2.0.0 frames, joins answered through `joined`. */
class StackSocket {
  private waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private ref = 0;
  onBroadcast: (topic: string, raw: string) => void = () => {};
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const raw = String(data);
      // Fan-out messages are the bulk: recognise them without parsing the whole frame.
      if (raw.includes('"broadcast",{')) {
        const topic = /^\[[^,]*,[^,]*,"([^"]*)"/.exec(raw)?.[1] ?? '';
        this.onBroadcast(topic, raw);
        return;
      }
      const [, ref, , event, payload] = JSON.parse(raw);
      if (event !== 'phx_reply') return;
      const w = this.waiting.get(ref);
      if (!w) return;
      this.waiting.delete(ref);
      if (payload.status === 'ok') w.resolve();
      else w.reject(new Error(JSON.stringify(payload.response)));
    });
  }
  join(topic: string, token: string, isPrivate: boolean): Promise<void> {
    const ref = String(++this.ref);
    const config = { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: isPrivate };
    return new Promise((resolve, reject) => {
      this.waiting.set(ref, { resolve, reject });
      this.ws.send(JSON.stringify([ref, ref, `realtime:${topic}`, 'phx_join', { config, access_token: token }]));
    });
  }
}

const wsUrl = (info: ScaleStack) => `${info.apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${info.anonKey}&vsn=2.0.0`;


function forkBare(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL('./support/bare-ws-server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx', '--expose-gc', ...profilerFlags()] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare ws server exited (${code})`)));
    child.on('message', (m: { type: string; value: { port: number } }) => m.type === 'ready' && resolve({ child, port: m.value.port }));
  });
}

async function waitFor(count: () => number, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  let still = Date.now();
  while (count() < expected && Date.now() < deadline) {
    await sleep(100);
    if (count() !== seen) [seen, still] = [count(), Date.now()];
    else if (Date.now() - still > 5_000) break; // nothing more is coming
  }
}

/** BENCH_PART=fanout: (b) and (d) alone, against the stack and a fresh bare relay. */
export async function runFanoutOnly(info: ScaleStack, stackChild: ChildProcess): Promise<boolean> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: randomUUID(), role: 'authenticated', aud: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + 3600).sign(new TextEncoder().encode(info.jwtSecret));
  const bare = await forkBare();
  try {
    return await runFanoutBench(
      { label: 'stack', url: wsUrl(info), join: { token }, pid: stackChild.pid! },
      { label: 'bare ws', url: `ws://127.0.0.1:${bare.port}`, pid: bare.child.pid! },
    );
  } finally {
    bare.child.send({ type: 'stop' });
  }
}

export async function runScaleBench(info: ScaleStack, stackChild: ChildProcess, db: pg.Pool): Promise<boolean> {
  const secret = new TextEncoder().encode(info.jwtSecret);
  console.log(`\nrealtime at scale: ${SOCKETS} sockets; notifications ${NOTIFY_RATE}/s for ${NOTIFY_SECONDS} s; fan-out ${FANOUT_RATE}/s for ${FANOUT_SECONDS} s; ${IDLE} idle sockets`);

  // ---- users (profiles by trigger), one post and comment the notifications point at
  const { rows: users } = await db.query<{ id: string }>(
    `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     select gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
            'scale-' || g || '-' || gen_random_uuid() || '@bench.test', '', '{}', '{}', now(), now()
       from generate_series(0, $1) g
     returning id`,
    [SOCKETS],
  );
  const actor = users[0].id;
  const recipients = users.slice(1).map((u) => u.id);
  const { rows: [post] } = await db.query<{ id: number }>(`insert into public.posts (author_id, content) values ($1, 'scale') returning id`, [actor]);
  const { rows: [comment] } = await db.query<{ id: number }>(
    `insert into public.comments (post_id, author_id, content) values ($1, $2, 'scale') returning id`,
    [post.id, actor],
  );
  await db.query('delete from public.notifications');
  const now = Math.floor(Date.now() / 1000);
  const token = (sub: string) =>
    new SignJWT({ sub, role: 'authenticated', aud: 'authenticated' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + 3600).sign(secret);

  // ---- (c) idle sockets first, on a fresh process: later parts leave freed pages that blur RSS
  const bare = await forkBare();
  const memory = (child: ChildProcess) => ask<{ rss: number }>(child, 'memory');
  await sleep(1_000);
  const stackBefore = await memory(stackChild);
  const idleToken = await token(recipients[0]);
  const idleStarted = Date.now();
  const idle = await pool(IDLE, CONNECT_CONCURRENCY, async (i) => {
    const s = new StackSocket(await open(wsUrl(info)));
    await s.join(`idle-${i % 100}`, idleToken, false);
    return s;
  });
  const idleSeconds = (Date.now() - idleStarted) / 1000;
  await sleep(1_000);
  const stackAfter = await memory(stackChild);
  for (const s of idle) s.ws.terminate();
  const bareBefore = await memory(bare.child);
  const bareStarted = Date.now();
  const bareIdle = await pool(IDLE, CONNECT_CONCURRENCY, async () => open(`ws://127.0.0.1:${bare.port}`));
  const bareSeconds = (Date.now() - bareStarted) / 1000;
  await sleep(1_000);
  const bareAfter = await memory(bare.child);
  for (const ws of bareIdle) ws.terminate();
  // ---- (a) private notifications
  const joinStarted = Date.now();
  const sockets = await pool(SOCKETS, CONNECT_CONCURRENCY, async (i) => {
    const s = new StackSocket(await open(wsUrl(info)));
    await s.join(`user:${recipients[i]}:notifications`, await token(recipients[i]), true);
    return s;
  });
  const joinSeconds = (Date.now() - joinStarted) / 1000;
  const latencies: number[] = [];
  const received = new Set<number>();
  let wrong = 0;
  let duplicates = 0;
  sockets.forEach((s, i) => {
    const topic = `realtime:user:${recipients[i]}:notifications`;
    s.onBroadcast = (t, raw) => {
      if (t !== topic) return;
      const record = JSON.parse(raw)[4].payload.record as { id: number; recipient_id: string; created_at: string };
      latencies.push(Date.now() - Date.parse(record.created_at));
      if (record.recipient_id !== recipients[i]) wrong++;
      if (received.has(record.id)) duplicates++;
      received.add(record.id);
    };
  });
  const total = NOTIFY_RATE * NOTIFY_SECONDS;
  const perTick = Math.max(1, Math.round((NOTIFY_RATE * TICK_MS) / 1000));
  const inserted: number[] = [];
  const started = Date.now();
  for (let tick = 0; inserted.length < total; tick++) {
    const wait = started + tick * TICK_MS - Date.now();
    if (wait > 0) await sleep(wait);
    const batch = Array.from({ length: Math.min(perTick, total - inserted.length) }, () => recipients[Math.floor(Math.random() * recipients.length)]);
    const { rows } = await db.query<{ id: string }>(
      `insert into public.notifications (recipient_id, actor_id, type, post_id, comment_id)
       select r, $2, 'comment', $3, $4 from unnest($1::uuid[]) r returning id`,
      [batch, actor, post.id, comment.id],
    );
    for (const r of rows) inserted.push(Number(r.id));
  }
  const insertSeconds = (Date.now() - started) / 1000;
  await waitFor(() => received.size, total, 30_000);
  const lost = inserted.filter((id) => !received.has(id)).length;
  const a = pcts(latencies);
  console.log(`\n(a) private notifications: ${SOCKETS} sockets joined (RLS at join) in ${joinSeconds.toFixed(1)} s; ${total} inserted in ${insertSeconds.toFixed(1)} s`);
  console.log(`    delivered ${received.size}/${total}, lost ${lost}, to the wrong user ${wrong}, duplicated ${duplicates}`);
  console.log(`    latency (receipt − row created_at) p50 ${a.p50} ms  p95 ${a.p95} ms  p99 ${a.p99} ms  max ${a.max} ms`);
  const goalA = a.p95 < 100 && lost === 0 && wrong === 0;
  console.log(`    goal p95 < 100 ms, nothing lost, none misdelivered: ${goalA ? 'met' : 'NOT met'}`);

  for (const s of sockets) s.ws.terminate();
  // ---- (b) fan-out and (d) CPU per delivery, subscribers in a process of their own
  const goalB = await runFanoutBench(
    { label: 'stack', url: wsUrl(info), join: { token: await token(actor) }, pid: stackChild.pid! },
    { label: 'bare ws', url: `ws://127.0.0.1:${bare.port}`, pid: bare.child.pid! },
  );

  const stackPer = (stackAfter.rss - stackBefore.rss) / IDLE / 1024;
  const barePer = (bareAfter.rss - bareBefore.rss) / IDLE / 1024;
  console.log(`\n(c) ${IDLE} idle sockets (stack: each joined to a public channel)`);
  console.log(`    stack   ${stackPer.toFixed(1)} KiB RSS per socket, all connected and joined in ${idleSeconds.toFixed(1)} s`);
  console.log(`    bare ws ${barePer.toFixed(1)} KiB RSS per socket, all connected in ${bareSeconds.toFixed(1)} s`);
  const goalC = stackPer <= 40;
  console.log(`    goal ≤ 40 KiB RSS per idle socket: ${goalC ? 'met' : 'NOT met'}`);
  bare.child.send({ type: 'stop' });
  return goalA && goalB && goalC;
}
