import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log } from '../../stack/log.js';
import { startStack, type RunningStack } from '../../stack/stack.js';
import { Inbox, sleep } from './support.js';

// Realtime's per-tenant limits, each answered with Realtime's own words. A stack of its own,
// with small limits where the defaults would take thousands of sockets or events to reach
// (and so that reaching them never disturbs the shared stack's other suites).

const LIMITS = {
  AGORA_REALTIME_MAX_CONCURRENT_USERS: '6',
  AGORA_REALTIME_MAX_CHANNELS_PER_CLIENT: '3',
  AGORA_REALTIME_MAX_JOINS_PER_SECOND: '12',
  AGORA_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND: '3',
  AGORA_REALTIME_MAX_PRESENCE_MB_PER_SOCKET: '4',
  AGORA_REALTIME_MAX_PRESENCE_MB: '8',
};

let dataDir: string;
let running: RunningStack;
const open: WebSocket[] = [];

beforeAll(async () => {
  log.level = 'error';
  Object.assign(process.env, LIMITS);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-rt-limits-'));
  chmodSync(dataDir, 0o755);
  try {
    running = await startStack({ dataDir, apiPort: await getPort(), dbPort: await getPort(), inboxPort: await getPort(), smtpPort: await getPort(), seed: false });
  } finally {
    for (const k of Object.keys(LIMITS)) delete process.env[k];
  }
}, 120_000);

afterAll(async () => {
  for (const ws of open) ws.terminate();
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Raw {
  ws: WebSocket;
  frames: Inbox<{ joinRef: string | null; ref: string | null; topic: string; event: string; payload: any }>;
  send: (joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown) => void;
  closed: Promise<number>;
}

const wsUrl = () => `${running.urls.api.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${running.config.anonKey}&vsn=2.0.0`;

async function socket(): Promise<Raw> {
  const ws = new WebSocket(wsUrl());
  open.push(ws);
  const frames: Raw['frames'] = new Inbox();
  ws.on('message', (data) => {
    const [joinRef, ref, topic, event, payload] = JSON.parse(String(data));
    frames.push({ joinRef, ref, topic, event, payload });
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, frames, closed, send: (joinRef, ref, topic, event, payload) => ws.send(JSON.stringify([joinRef, ref, topic, event, payload])) };
}

async function frame(s: Raw, pred: (f: Raw['frames']['items'][number]) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = s.frames.items.find(pred);
    if (hit) return hit;
    await sleep(20);
  }
  throw new Error(`no matching frame; got ${JSON.stringify(s.frames.items).slice(0, 1000)}`);
}

async function joined(s: Raw, topic: string, ref: string, config: Record<string, unknown> = {}) {
  s.send(ref, ref, topic, 'phx_join', { config });
  return frame(s, (f) => f.event === 'phx_reply' && f.ref === ref);
}

/** Waits out the current second, so each test starts with the per-second counters fresh. */
const nextSecond = () => sleep(1_100);

describe('Realtime limits', () => {
  it('a presence payload over 3000 kB ends the channel with "Track message size exceeded"; one just under is tracked', async () => {
    await nextSecond();
    const s = await socket();
    expect((await joined(s, 'realtime:big-presence', '1', { presence: { key: 'a', enabled: true } })).payload.status).toBe('ok');
    s.send('1', '2', 'realtime:big-presence', 'presence', { type: 'presence', event: 'track', payload: { blob: 'x'.repeat(2_999_000) } });
    expect((await frame(s, (f) => f.event === 'phx_reply' && f.ref === '2')).payload.status).toBe('ok');
    await nextSecond();
    s.send('1', '3', 'realtime:big-presence', 'presence', { type: 'presence', event: 'track', payload: { blob: 'y'.repeat(3_001_000) } });
    const system = await frame(s, (f) => f.event === 'system' && f.payload.status === 'error');
    expect(system.payload).toMatchObject({ extension: 'system', status: 'error', message: 'Track message size exceeded' });
    await frame(s, (f) => f.event === 'phx_close');
    s.ws.close();
  }, 30_000);

  it('presence past what one socket, or the whole stack, may hold ends the channel with "Track message size exceeded"; closing gives it back', async () => {
    const blob = 'z'.repeat(2_500_000);
    const track = async (s: Raw, topic: string) => {
      await nextSecond();
      expect((await joined(s, topic, '1', { presence: { key: 'k', enabled: true } })).payload.status).toBe('ok');
      s.send('1', '2', topic, 'presence', { type: 'presence', event: 'track', payload: { blob } });
      return frame(s, (f) => f.topic === topic && ((f.event === 'phx_reply' && f.ref === '2') || f.event === 'system'));
    };
    // One socket: 4 MB per socket lets one 2.5 MB presence in, not a second.
    const one = await socket();
    expect((await track(one, 'realtime:budget-a')).payload.status).toBe('ok');
    expect((await track(one, 'realtime:budget-b')).payload).toMatchObject({ status: 'error', message: 'Track message size exceeded' });
    // The stack: 8 MB in all lets three sockets' 2.5 MB in, not a fourth.
    const others = [await socket(), await socket(), await socket()];
    expect((await track(others[0], 'realtime:budget-c')).payload.status).toBe('ok');
    expect((await track(others[1], 'realtime:budget-d')).payload.status).toBe('ok');
    expect((await track(others[2], 'realtime:budget-e')).payload).toMatchObject({ status: 'error', message: 'Track message size exceeded' });
    // Closed sockets give their share back.
    one.ws.close();
    await one.closed;
    expect((await track(others[2], 'realtime:budget-f')).payload.status).toBe('ok');
    for (const s of others) s.ws.close();
    await Promise.all(others.map((s) => s.closed));
  }, 60_000);

  it('a broadcast over 3000 kB is not delivered; with ack the sender is told payload_size_exceeded', async () => {
    await nextSecond();
    const sender = await socket();
    const listener = await socket();
    expect((await joined(sender, 'realtime:big-broadcast', '1', { broadcast: { ack: true } })).payload.status).toBe('ok');
    expect((await joined(listener, 'realtime:big-broadcast', '1')).payload.status).toBe('ok');
    sender.send('1', '2', 'realtime:big-broadcast', 'broadcast', { type: 'broadcast', event: 'big', payload: { blob: 'x'.repeat(3_001_000) } });
    expect((await frame(sender, (f) => f.event === 'phx_reply' && f.ref === '2')).payload).toEqual({ status: 'error', response: 'payload_size_exceeded' });
    sender.send('1', '3', 'realtime:big-broadcast', 'broadcast', { type: 'broadcast', event: 'small', payload: { n: 1 } });
    expect((await frame(sender, (f) => f.event === 'phx_reply' && f.ref === '3')).payload.status).toBe('ok');
    await frame(listener, (f) => f.event === 'broadcast' && f.payload.event === 'small');
    expect(listener.frames.items.filter((f) => f.event === 'broadcast').map((f) => f.payload.event)).toEqual(['small']);
    sender.ws.close();
    listener.ws.close();
  }, 30_000);

  it('a socket joining more channels than allowed gets "ChannelRateLimitReached: Too many channels"', async () => {
    await nextSecond();
    const s = await socket();
    for (const n of ['1', '2', '3']) expect((await joined(s, `realtime:many-${n}`, n)).payload.status).toBe('ok');
    expect((await joined(s, 'realtime:many-4', '4')).payload).toEqual({ status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } });
    s.ws.close();
  });

  it('joins beyond the per-second rate get "ClientJoinRateLimitReached: Too many joins per second" and the socket is disconnected', async () => {
    await nextSecond();
    const sockets = await Promise.all([socket(), socket(), socket(), socket(), socket()]);
    // 15 joins at once (3 per socket) against a limit of 12 per second.
    sockets.forEach((s, i) => {
      for (const n of ['1', '2', '3']) s.send(n, n, `realtime:burst-${i}-${n}`, 'phx_join', { config: {} });
    });
    // A socket is disconnected at its first refused join, so its later joins may get no reply.
    const replies = (
      await Promise.all(
        sockets.map(async (s) => {
          const all = (async () => {
            for (const n of ['1', '2', '3']) await frame(s, (f) => f.event === 'phx_reply' && f.ref === n);
          })().catch(() => undefined);
          await Promise.race([s.closed, all]);
          return s.frames.items.filter((f) => f.event === 'phx_reply');
        }),
      )
    ).flat();
    const refused = replies.filter((r) => r.payload.status === 'error');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(replies.filter((r) => r.payload.status === 'ok').length).toBeLessThanOrEqual(12);
    for (const r of refused) expect(r.payload.response).toEqual({ reason: 'ClientJoinRateLimitReached: Too many joins per second' });
    const refusedSockets = sockets.filter((s) => s.frames.items.some((f) => f.event === 'phx_reply' && f.payload.status === 'error'));
    for (const s of refusedSockets) expect(await s.closed).toBe(1000);
    for (const s of sockets) s.ws.close();
  }, 30_000);

  it('presence events beyond the per-second rate end the channel with "Too many presence messages per second"', async () => {
    await nextSecond();
    const sockets = await Promise.all([socket(), socket(), socket(), socket(), socket()]);
    await Promise.all(sockets.map((s, i) => joined(s, `realtime:presence-rate-${i}`, '1')));
    await nextSecond();
    sockets.forEach((s, i) => {
      s.send('1', '2', `realtime:presence-rate-${i}`, 'presence', { type: 'presence', event: 'track', payload: { i } });
    });
    await sleep(1_000);
    const messages = sockets.flatMap((s) => s.frames.items.filter((f) => f.event === 'system').map((f) => f.payload.message));
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(new Set(messages)).toEqual(new Set(['Too many presence messages per second']));
    for (const s of sockets) s.ws.close();
  }, 30_000);

  it('sockets beyond the concurrent users limit are refused with 429 {"error":"Too many connected users"}; one closing makes room', async () => {
    await Promise.all(open.map((ws) => (ws.readyState === WebSocket.CLOSED ? null : new Promise((r) => { ws.once('close', r); ws.close(); }))));
    await sleep(200);
    const sockets = [];
    for (let i = 0; i < 6; i++) sockets.push(await socket());
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(wsUrl());
      ws.once('open', () => reject(new Error('a 7th socket was accepted')));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
    });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toEqual({ error: 'Too many connected users' });
    sockets[0].ws.close();
    await sockets[0].closed;
    await sleep(100);
    const again = await socket();
    expect(again.ws.readyState).toBe(WebSocket.OPEN);
    for (const s of [...sockets, again]) s.ws.close();
  });
});
