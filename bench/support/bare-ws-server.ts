// The baseline for bench:realtime's fan-out and idle figures: a bare `ws` server, no channels,
// no auth, no Phoenix framing beyond what the clients parse. Driven over IPC by the bench.
import { WebSocketServer, type WebSocket } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const clients = new Set<WebSocket>();
server.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('error', () => {});
});

server.on('listening', () => {
  const address = server.address();
  process.send!({ type: 'ready', value: { port: address && typeof address === 'object' ? address.port : 0 } });
});

process.on('message', (msg: { type: string; rate?: number; seconds?: number }) => {
  if (msg.type === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ type: 'memory', value: { rss: process.memoryUsage().rss } });
  }
  if (msg.type === 'fanout') {
    // The same message shape the stack sends for a JSON broadcast (vsn 2.0.0 array).
    const total = Math.round((msg.rate ?? 50) * (msg.seconds ?? 10));
    const interval = 1000 / (msg.rate ?? 50);
    const started = Date.now();
    let sent = 0;
    const tick = () => {
      while (sent < total && Date.now() >= started + sent * interval) {
        const frame = JSON.stringify([null, null, 'realtime:fanout', 'broadcast', { type: 'broadcast', event: 'tick', payload: { t: Date.now(), n: sent } }]);
        for (const ws of clients) ws.send(frame);
        sent++;
      }
      if (sent < total) setTimeout(tick, 2);
      else process.send!({ type: 'fanout', value: sent });
    };
    tick();
  }
  if (msg.type === 'stop') server.close(() => process.exit(0));
});
