// npm run bench:realtime-memory — what presence costs the stack and whether it gives it back.
// The stack runs in a child process (its memory is its own); clients are bare Phoenix 2.0.0
// websockets here. Anonymous sockets each join a channel and track the largest presence
// payload Realtime accepts; then every socket closes. RSS is sampled cold, idle after a warm-up
// round, at the peak and after the close (each after a GC), and the difference to idle printed.
import { START_MALLOC_ENV } from './support/start-env.js';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { forkStack, isForkedStack, type StackMemory as Memory, serveForkedStack, stackMemory, stopForkedStack } from './support/forked-stack.js';
import type { TestStackInfo as StackInfo } from '../tests/support/test-stack.js';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 100);
/** Just under Realtime's 3000 kB payload limit, as JSON. */
const PAYLOAD_BYTES = Number(process.env.BENCH_PRESENCE_BYTES ?? 2_990_000);

if (isForkedStack()) await serveForkedStack();

// The allocator settings `npm start` runs the stack with; BENCH_DEFAULT_MALLOC=1 measures glibc's defaults instead.
const MALLOC: Record<string, string> = process.env.BENCH_DEFAULT_MALLOC ? {} : { ...START_MALLOC_ENV };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Heartbeats as realtime-js sends them: a silent socket is closed after 60 s, and a run can take longer. */
function keepAlive(ws: WebSocket): void {
  const timer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}])), 15_000);
  ws.once('close', () => clearInterval(timer));
}

/** One socket, one channel, one maximal presence; resolves once the track is acknowledged. */
async function tracker(info: StackInfo, i: number, blob: string): Promise<{ ws: WebSocket; outcome: string }> {
  const ws = new WebSocket(`${info.apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${info.anonKey}&vsn=2.0.0`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  keepAlive(ws);
  const topic = `realtime:presence-bench-${i}`;
  const outcome = new Promise<string>((resolve) => {
    ws.on('message', (raw) => {
      const [, ref, , event, payload] = JSON.parse(String(raw));
      if (event === 'phx_reply' && ref === '2') resolve(payload.status === 'ok' ? 'ok' : JSON.stringify(payload.response));
      else if (event === 'phx_reply' && ref === '1' && payload.status !== 'ok') resolve(`join refused: ${JSON.stringify(payload.response)}`);
      else if (event === 'system' && payload.status === 'error') resolve(payload.message);
    });
    ws.once('close', () => resolve('closed'));
  });
  ws.send(JSON.stringify(['1', '1', topic, 'phx_join', { config: { presence: { key: `k${i}`, enabled: true }, private: false } }]));
  ws.send(JSON.stringify(['1', '2', topic, 'presence', { type: 'presence', event: 'track', payload: { i, blob } }]));
  return { ws, outcome: await outcome };
}

/** The issue's case: a few sockets, many channels each, a large presence on every one. */
async function crowded(info: StackInfo, sockets: number, channels: number, blob: string): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  const all: WebSocket[] = [];
  for (let s = 0; s < sockets; s++) {
    const ws = new WebSocket(`${info.apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${info.anonKey}&vsn=2.0.0`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    all.push(ws);
    keepAlive(ws);
    const answers = new Map<string, (outcome: string) => void>();
    ws.on('message', (raw) => {
      const [, ref, topic, event, payload] = JSON.parse(String(raw));
      if (event === 'phx_reply' && ref?.startsWith('t')) answers.get(topic)?.(payload.status);
      else if (event === 'system' && payload.status === 'error') answers.get(topic)?.(payload.message);
    });
    for (let c = 0; c < channels; c++) {
      const topic = `realtime:crowded-${s}-${c}`;
      const outcome = new Promise<string>((resolve) => answers.set(topic, resolve));
      ws.send(JSON.stringify([`j${c}`, `j${c}`, topic, 'phx_join', { config: { presence: { key: `k${c}`, enabled: true } } }]));
      ws.send(JSON.stringify([`j${c}`, `t${c}`, topic, 'presence', { type: 'presence', event: 'track', payload: { blob } }]));
      const o = await outcome;
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
  }
  for (const ws of all) ws.close();
  await Promise.all(all.map((ws) => new Promise((r) => ws.once('close', r))));
  return outcomes;
}

const { child, info } = await forkStack(fileURLToPath(import.meta.url), MALLOC);
try {
  await sleep(1_000);
  const cold = await stackMemory(child);
  const blob = 'x'.repeat(PAYLOAD_BYTES);
  // Warm-up: ten sockets through the same steps, closed. What the first use of this code costs
  // once (compiled code, the heap V8 keeps committed) is not memory a closed socket failed to return.
  const warm = await Promise.all(Array.from({ length: 10 }, (_, k) => tracker(info, 1000 + k, blob)));
  for (const w of warm) w.ws.close();
  await Promise.all(warm.map((w) => (w.ws.readyState === WebSocket.CLOSED ? null : new Promise((r) => w.ws.once('close', r)))));
  await sleep(2_000);
  const idle = await stackMemory(child);
  const started = Date.now();
  const sockets: WebSocket[] = [];
  const outcomes = new Map<string, number>();
  // Ten at a time: a hundred 3 MB frames at once would measure the client more than the stack.
  for (let i = 0; i < SOCKETS; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, SOCKETS - i) }, (_, k) => tracker(info, i + k, blob)));
    for (const b of batch) {
      sockets.push(b.ws);
      outcomes.set(b.outcome, (outcomes.get(b.outcome) ?? 0) + 1);
    }
  }
  const peak = await stackMemory(child);
  for (const ws of sockets) ws.close();
  await Promise.all(sockets.map((ws) => (ws.readyState === WebSocket.CLOSED ? null : new Promise((r) => ws.once('close', r)))));
  await sleep(2_000);
  const after = await stackMemory(child);

  console.log(`\nrealtime presence memory: ${SOCKETS} anon sockets, one channel each, presence payload ${mb(PAYLOAD_BYTES)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`  track outcomes: ${[...outcomes].map(([k, n]) => `${n}× ${k}`).join(', ')}`);
  const line = (label: string, m: Memory) => console.log(`  ${label.padEnd(11)} RSS ${mb(m.rss)}  heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}  external ${mb(m.external)}`);
  line('cold', cold);
  line('idle', idle);
  line('all tracked', peak);
  line('all closed', after);
  const kept = after.rss - idle.rss;
  console.log(`  RSS kept after close: ${mb(kept)} over idle after warm-up (goal: within 20 MB: ${kept <= 20 * 1024 * 1024 ? 'met' : 'NOT met'}); ${mb(after.rss - cold.rss)} over the cold start`);

  // The issue's case: 5 anon sockets × 20 channels × 2 MB presence. The per-socket budget ends
  // most of those channels; what was accepted is given back on close.
  const crowd = await crowded(info, 5, 20, 'y'.repeat(2_000_000));
  const afterCrowd = await stackMemory(child);
  console.log(`\n5 anon sockets × 20 channels × 2 MB presence: ${[...crowd].map(([k, n]) => `${n}× ${k}`).join(', ')}`);
  line('all closed', afterCrowd);
  console.log(`  RSS kept after close: ${mb(afterCrowd.rss - idle.rss)}`);
} finally {
  await stopForkedStack(child);
}
