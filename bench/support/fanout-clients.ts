// The subscribers of bench:realtime's fan-out figure, in a process of their own so the bench's
// publisher and bookkeeping do not slow their reading (nor they the publisher's clock). Counting
// is kept cheap: a delivery's latency is read from the bytes (`"t":<ms>`), never parsed as JSON,
// and kept in a 1 ms histogram. Driven over IPC by bench/realtime-fanout.ts.
import WebSocket from 'ws';

export interface OpenCommand {
  type: 'open';
  url: string;
  count: number;
  /** Phoenix join sent on each socket (the stack); none for the bare server. */
  join?: { topic: string; token: string };
}

export interface Tally {
  delivered: number;
  /** Receipt times of the first and last delivery counted, ms. */
  first: number;
  last: number;
  /** Sockets the server closed since they were opened. */
  dropped: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const HISTOGRAM_MS = 120_000;
const T_KEY = Buffer.from('"t":');
let histogram = new Uint32Array(HISTOGRAM_MS + 1);
let tally = { delivered: 0, first: 0, last: 0 };
let sockets: WebSocket[] = [];
let dropped = 0;
let closing = false;
/** realtime-js's heartbeat interval: without heartbeats a Phoenix server drops a socket after 60 s. */
const HEARTBEAT_MS = 25_000;
let heartbeat: NodeJS.Timeout | undefined;

function onMessage(data: Buffer): void {
  const at = data.indexOf(T_KEY);
  if (at < 0) return; // a reply or system message, not a delivery
  let sent = 0;
  for (let i = at + T_KEY.length; i < data.length; i++) {
    const d = data[i] - 48;
    if (d < 0 || d > 9) break;
    sent = sent * 10 + d;
  }
  const now = Date.now();
  histogram[Math.min(HISTOGRAM_MS, Math.max(0, now - sent))]++;
  tally.delivered++;
  tally.first ||= now;
  tally.last = now;
}

function percentile(p: number): number {
  const rank = Math.ceil((p / 100) * tally.delivered);
  let seen = 0;
  for (let ms = 0; ms <= HISTOGRAM_MS; ms++) {
    seen += histogram[ms];
    if (seen >= rank && seen > 0) return ms;
  }
  return Number.NaN;
}

function openOne(cmd: OpenCommand): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cmd.url, { perMessageDeflate: false, skipUTF8Validation: true });
    ws.once('error', reject);
    ws.once('open', () => {
      if (!cmd.join) return resolve(ws);
      const config = { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false };
      ws.send(JSON.stringify(['1', '1', cmd.join.topic, 'phx_join', { config, access_token: cmd.join.token }]));
      ws.once('message', (raw: Buffer) => {
        if (raw.includes('"status":"ok"')) resolve(ws);
        else reject(new Error(`join refused: ${raw}`));
      });
    });
  });
}

async function open(cmd: OpenCommand): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(100, cmd.count) }, async () => {
      while (next < cmd.count) {
        next++;
        sockets.push(await openOne(cmd));
      }
    }),
  );
  for (const ws of sockets) {
    ws.on('message', onMessage);
    ws.on('close', () => closing || dropped++);
  }
  // Phoenix sockets (the stack) beat like realtime-js; the bare relay would pass beats on to everyone.
  if (cmd.join && !heartbeat) {
    let ref = 0;
    heartbeat = setInterval(() => {
      const frame = JSON.stringify([null, `hb${++ref}`, 'phoenix', 'heartbeat', {}]);
      for (const ws of sockets) ws.send(frame);
    }, HEARTBEAT_MS);
  }
}

process.on('message', async (msg: { type: string }) => {
  try {
    if (msg.type === 'open') await open(msg as OpenCommand);
    if (msg.type === 'reset') {
      histogram = new Uint32Array(HISTOGRAM_MS + 1);
      tally = { delivered: 0, first: 0, last: 0 };
    }
    if (msg.type === 'stop') process.exit(0);
    if (msg.type === 'close') {
      clearInterval(heartbeat);
      heartbeat = undefined;
      closing = true;
      for (const ws of sockets) ws.terminate();
      sockets = [];
    }
    const value: Tally | number = msg.type === 'tally' ? { ...tally, dropped, p50: percentile(50), p95: percentile(95), p99: percentile(99), max: percentile(100) } : sockets.length;
    process.send!({ type: msg.type, value });
  } catch (err) {
    process.send!({ type: msg.type, error: String(err) });
  }
});
process.send!({ type: 'ready' });
