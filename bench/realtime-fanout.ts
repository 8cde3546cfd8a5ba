// bench:realtime (b) and (d): fan-out of one public topic to SOCKETS subscribers, the stack beside
// a bare `ws` relay doing the same in the same run. Both are driven the same way: one publisher
// websocket (this process) sends each broadcast at its scheduled time, stamped with that time, so a
// server that falls behind shows it in the latency; the subscribers run in a process of their own
// (bench/support/fanout-clients.ts). First the goal rate; then, for each server, a short ramp finds
// the highest rate it sustains with p95 < 100 ms and nothing lost (2 shared cores may not reach
// the goal rate even bare, and the ratio of sustained rates is the meaningful one).
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { OpenCommand, Tally } from './support/fanout-clients.js';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 2_000);
const FANOUT_RATE = Number(process.env.BENCH_FANOUT_RATE ?? 50);
const FANOUT_SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 10);
/** Broadcasts/s tried by the ramp, lowest first, up to the goal rate; each for RAMP_SECONDS. */
const RAMP = (process.env.BENCH_FANOUT_RAMP ?? '1,2,5,10,15,20,30,40,50').split(',').map(Number).filter((r) => r > 0 && r <= FANOUT_RATE);
const RAMP_SECONDS = Number(process.env.BENCH_FANOUT_RAMP_SECONDS ?? 5);
const GOAL_P95_MS = 100;
const TOPIC = 'realtime:fanout';
const CLK_TCK = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** User + system CPU seconds of one process, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export interface FanoutTarget {
  label: string;
  /** Websocket URL subscribers and the publisher connect to. */
  url: string;
  /** The Phoenix join each socket sends (the stack); none for the bare relay. */
  join?: { token: string };
  pid: number;
}

interface Step {
  rate: number;
  expected: number;
  tally: Tally;
  lost: number;
  deliveriesPerSecond: number;
  cpuUsPerDelivery: number;
  ok: boolean;
}

function forkClients(): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./support/fanout-clients.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...process.execArgv.filter((a) => a.startsWith('--cpu-prof'))],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fan-out clients exited (${code})`)));
    child.on('message', (m: { type: string }) => m.type === 'ready' && resolve(child));
  });
}

function ask<T>(child: ChildProcess, msg: { type: string } & Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; value: T; error?: string }) => {
      if (m.type !== msg.type) return;
      child.off('message', onMessage);
      if (m.error) reject(new Error(m.error));
      else resolve(m.value);
    };
    child.on('message', onMessage);
    child.send(msg);
  });
}

async function publisherFor(target: FanoutTarget): Promise<WebSocket> {
  const ws = new WebSocket(target.url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  if (target.join) {
    const config = { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false };
    ws.send(JSON.stringify(['p', 'p', TOPIC, 'phx_join', { config, access_token: target.join.token }]));
    await new Promise((resolve) => ws.once('message', resolve));
  }
  return ws;
}

/** Broadcasts at `rate`/s for `seconds`, then waits for the deliveries to stop coming. */
async function step(clients: ChildProcess, publisher: WebSocket, target: FanoutTarget, rate: number, seconds: number): Promise<Step> {
  await ask(clients, { type: 'reset' });
  const total = Math.round(rate * seconds);
  const expected = total * SOCKETS;
  const cpuBefore = cpuSeconds(target.pid);
  const started = Date.now() + 50;
  const interval = 1000 / rate;
  for (let n = 0; n < total; n++) {
    const due = Math.round(started + n * interval);
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    publisher.send(JSON.stringify([null, null, TOPIC, 'broadcast', { type: 'broadcast', event: 'tick', payload: { t: due, n } }]));
  }
  let tally = await ask<Tally>(clients, { type: 'tally' });
  for (let still = 0, seen = tally.delivered; tally.delivered < expected && still < 3_000; still += 200) {
    await sleep(200);
    tally = await ask<Tally>(clients, { type: 'tally' });
    if (tally.delivered !== seen) [seen, still] = [tally.delivered, 0];
  }
  const cpu = cpuSeconds(target.pid) - cpuBefore;
  const lost = expected - tally.delivered;
  return {
    rate,
    expected,
    tally,
    lost,
    deliveriesPerSecond: tally.delivered / Math.max(0.001, (tally.last - started) / 1000),
    cpuUsPerDelivery: (cpu * 1e6) / Math.max(1, tally.delivered),
    ok: lost === 0 && tally.p95 < GOAL_P95_MS,
  };
}

async function measure(clients: ChildProcess, target: FanoutTarget): Promise<{ goal: Step; sustained: Step | null; ramp: Step[] }> {
  await ask(clients, { type: 'open', url: target.url, count: SOCKETS, join: target.join && { topic: TOPIC, token: target.join.token } } satisfies OpenCommand);
  const publisher = await publisherFor(target);
  try {
    const goal = await step(clients, publisher, target, FANOUT_RATE, FANOUT_SECONDS);
    const ramp: Step[] = [];
    let sustained: Step | null = goal.ok ? goal : null;
    if (!goal.ok) {
      for (const rate of RAMP) {
        await sleep(1_000); // what the last step left queued drains first
        const s = await step(clients, publisher, target, rate, RAMP_SECONDS);
        ramp.push(s);
        if (!s.ok) break;
        sustained = s;
      }
    }
    return { goal, sustained, ramp };
  } finally {
    publisher.terminate();
    await ask(clients, { type: 'close' });
  }
}

const row = (label: string, s: Step) =>
  `${label.padEnd(8)} ${String(s.rate).padStart(3)}/s  delivered ${s.tally.delivered}/${s.expected}  ${Math.round(s.deliveriesPerSecond)} deliveries/s  ` +
  `p50 ${s.tally.p50} ms  p95 ${s.tally.p95} ms  p99 ${s.tally.p99} ms  max ${s.tally.max} ms  ${s.cpuUsPerDelivery.toFixed(2)} µs CPU/delivery`;

/** Runs (b) and (d) for the stack and the bare relay; prints them; true when goal (b) is met. */
export async function runFanoutBench(stack: FanoutTarget, bare: FanoutTarget): Promise<boolean> {
  const clients = await forkClients();
  try {
    const s = await measure(clients, stack);
    const b = await measure(clients, bare);
    console.log(`\n(b) fan-out: one public topic, ${SOCKETS} subscribers (another process), ${FANOUT_RATE} broadcasts/s for ${FANOUT_SECONDS} s from one publisher websocket; latency from each broadcast's scheduled time`);
    console.log(`    ${row(stack.label, s.goal)}`);
    console.log(`    ${row(bare.label, b.goal)}`);
    const ratio = s.goal.deliveriesPerSecond / Math.max(1, b.goal.deliveriesPerSecond);
    const goal = s.goal.ok && ratio >= 0.5;
    console.log(`    stack/bare rate ${ratio.toFixed(2)}; goal p95 < ${GOAL_P95_MS} ms, nothing lost, ≥ 0.5 of bare: ${goal ? 'met' : 'NOT met'}`);
    if (!s.goal.ok || !b.goal.ok) {
      console.log(`    ramp (${RAMP_SECONDS} s a step, up to the first miss):`);
      for (const [label, r] of [[stack.label, s], [bare.label, b]] as const) for (const st of r.ramp) console.log(`      ${row(label, st)}${st.ok ? '' : '  ← missed'}`);
      const most = (r: { sustained: Step | null }) => (r.sustained ? r.sustained.rate * SOCKETS : 0);
      console.log(
        `    highest rate sustained (p95 < ${GOAL_P95_MS} ms, nothing lost): stack ${most(s)} deliveries/s, bare ws ${most(b)} deliveries/s, ratio ${(most(s) / Math.max(1, most(b))).toFixed(2)}`,
      );
    }
    console.log(`\n(d) CPU per delivery at ${FANOUT_RATE} broadcasts/s (server process only): stack ${s.goal.cpuUsPerDelivery.toFixed(2)} µs, bare ws ${b.goal.cpuUsPerDelivery.toFixed(2)} µs`);
    return goal;
  } finally {
    clients.send({ type: 'stop' }); // exits by itself, so a --cpu-prof profile gets written
  }
}
