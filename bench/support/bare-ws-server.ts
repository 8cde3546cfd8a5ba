// The baseline for bench:realtime's fan-out and idle figures: a bare `ws` server, no channels,
// no auth, no Phoenix framing: whatever one client sends is relayed, as received, to every other
// client (the fan-out the stack does for a broadcast, minus everything else). Driven over IPC.
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const clients = new Set<WebSocket>();
server.on('connection', (ws) => {
  clients.add(ws);
  ws.on('message', (data: RawData, isBinary) => {
    for (const other of clients) if (other !== ws) other.send(data, { binary: isBinary });
  });
  ws.on('close', () => clients.delete(ws));
  ws.on('error', () => {});
});

server.on('listening', () => {
  const address = server.address();
  process.send!({ type: 'ready', value: { port: address && typeof address === 'object' ? address.port : 0 } });
});

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ type: 'memory', value: { rss: process.memoryUsage().rss } });
  }
  if (msg.type === 'stop') server.close(() => process.exit(0));
});
