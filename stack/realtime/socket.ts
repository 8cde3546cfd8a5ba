import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import * as channel from './channel.js';
import type { RealtimeContext, SocketSide } from './channel.js';
import type { Member } from './hub.js';
import { decodeBinary, decodeText, encodeText, encodeTextRaw, ProtocolError, VSNS, type Frame, type Vsn } from './protocol.js';
import { verifyToken } from './tokens.js';
import { apiKeyToken, SECRET_KEY_IN_BROWSER, secretKeyFromBrowser } from '../jwt/credentials.js';
import { systemMessages } from './errors.js';
import { realtimeConnections } from '../gateway/metrics.js';
import { batchWrites } from './write-batch.js';

// The websocket at /realtime/v1/websocket: Phoenix's socket as realtime-js uses it — `apikey`
// and `vsn` in the query, heartbeats on the `phoenix` topic, channels under `realtime:*`.

export const WEBSOCKET_PATH = '/realtime/v1/websocket';
/** Frames one socket may send per second before it is closed (protects everyone else). */
export const MAX_FRAMES_PER_SECOND = 500;
/** Largest frame accepted; bigger ones close the socket (1009). */
export const MAX_FRAME_BYTES = 3 * 1024 * 1024;
/** Phoenix closes a socket that sent nothing (not even a heartbeat) for this long. */
export const IDLE_TIMEOUT_MS = 60_000;
const CLOSE_POLICY = 1008;
const CLOSE_INVALID_DATA = 1007;

class Connection implements SocketSide {
  readonly members = new Map<string, Member>();
  lastSeen = Date.now();
  private windowStart = Date.now();
  private frames = 0;
  /** Frames are handled one after another, in order, as a Phoenix channel process would. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`, whose writes are batched per turn of the event loop. */
    private readonly socket: Duplex,
    readonly vsn: Vsn,
    readonly apikey: string,
  ) {}

  push(topic: string, event: string, payload: unknown, joinRef: string | null, ref: string | null = null): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.send(encodeText(this.vsn, joinRef, ref, topic, event, payload));
  }

  pushEncoded(topic: string, event: string, payloadJson: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.send(encodeTextRaw(this.vsn, topic, event, payloadJson));
  }

  pushFrame(data: Buffer, binary: boolean): void {
    if (this.ws.readyState === WebSocket.OPEN) this.send(data, { binary });
  }

  /** A client that stops reading is dropped once too much waits for it, instead of the server holding it all. */
  private send(data: string | Buffer, options: { binary?: boolean } = {}): void {
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytesPerSocket) {
      this.ws.terminate();
      return;
    }
    batchWrites(this.socket);
    this.ws.send(data, options);
  }

  disconnect(): void {
    this.ws.close(1000);
  }

  reply(topic: string, joinRef: string | null, ref: string | null, status: 'ok' | 'error', response: unknown): void {
    this.push(topic, 'phx_reply', { status, response }, joinRef, ref);
  }

  receive(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    if (this.lastSeen - this.windowStart >= 1000) {
      this.windowStart = this.lastSeen;
      this.frames = 0;
    }
    if (++this.frames > MAX_FRAMES_PER_SECOND) {
      for (const m of [...this.members.values()]) channel.shutdown(this.ctx, this, m, systemMessages.tooManyMessages);
      this.ws.close(CLOSE_POLICY, systemMessages.tooManyMessages);
      return;
    }
    let frame: Frame;
    try {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      frame = isBinary ? (this.vsn === '2.0.0' ? decodeBinary(buf) : fail('binary frames need vsn 2.0.0')) : decodeText(buf.toString('utf8'), this.vsn);
      frame.size = buf.length;
    } catch (err) {
      // Phoenix drops a socket it cannot decode; the client reconnects.
      this.ws.close(CLOSE_INVALID_DATA, err instanceof ProtocolError ? err.message : 'invalid frame');
      return;
    }
    this.chain = this.chain
      .then(() => this.dispatch(frame))
      .catch((err) => {
        this.ctx.log.warn({ err, topic: frame.topic, event: frame.event }, 'realtime: message failed');
        if (frame.event === 'phx_join') this.reply(frame.topic, frame.joinRef, frame.ref, 'error', { reason: 'UnknownErrorOnChannel: Unknown Error on Channel' });
      });
  }

  private async dispatch(frame: Frame): Promise<void> {
    const { topic, event } = frame;
    if (topic === 'phoenix' && event === 'heartbeat') return this.reply(topic, null, frame.ref, 'ok', {});
    if (event === 'phx_join') {
      if (!topic.startsWith('realtime:')) return this.reply(topic, frame.joinRef, frame.ref, 'error', { reason: 'unmatched topic' });
      return channel.join(this.ctx, this, frame);
    }
    const member = this.members.get(topic);
    // Phoenix answers anything for a topic this socket has not joined (or joined under another ref).
    if (!member || (frame.joinRef !== null && member.joinRef !== null && frame.joinRef !== member.joinRef)) {
      return this.reply(topic, frame.joinRef, frame.ref, 'error', { reason: 'unmatched topic' });
    }
    switch (event) {
      case 'phx_leave':
        this.reply(topic, member.joinRef, frame.ref, 'ok', {});
        return channel.close(this.ctx, this, member);
      case 'access_token':
        return channel.accessToken(this.ctx, this, member, frame);
      case 'broadcast':
        return channel.broadcast(this.ctx, this, member, frame);
      case 'presence':
        return channel.presence(this.ctx, this, member, frame);
      default:
        // Realtime ignores (and logs) unexpected client messages on a joined channel.
        return;
    }
  }

  closed(): void {
    for (const m of [...this.members.values()]) channel.close(this.ctx, this, m, false);
  }

  idleSince(now: number): boolean {
    return now - this.lastSeen > IDLE_TIMEOUT_MS;
  }

  terminate(): void {
    this.ws.terminate();
  }
}

function fail(message: string): never {
  throw new ProtocolError(message);
}

function refuse(socket: Duplex, status: number, text: string, statusText = text, type = 'text/plain'): void {
  socket.end(`HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

/** The websocket endpoint: accepts upgrades on its path only, keeps track of live connections. */
export class RealtimeSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly connections = new Set<Connection>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly ctx: RealtimeContext) {
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const c of this.connections) if (c.idleSince(now)) c.terminate();
    }, 10_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** Returns false when the request is not for this endpoint (someone else may take it). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WEBSOCKET_PATH && url.pathname !== `${WEBSOCKET_PATH}/`) return false;
    void this.accept(req, socket, head, url);
    return true;
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    socket.on('error', () => socket.destroy());
    const vsn = (url.searchParams.get('vsn') ?? '1.0.0') as Vsn;
    if (!VSNS.includes(vsn)) return refuse(socket, 400, 'Bad Request');
    const given = url.searchParams.get('apikey') ?? (req.headers['x-api-key'] as string | undefined) ?? '';
    if (secretKeyFromBrowser(this.ctx.keys, req.headers['user-agent'], [given])) {
      return refuse(socket, 401, JSON.stringify(SECRET_KEY_IN_BROWSER), 'Unauthorized', 'application/json');
    }
    // the gateway swaps an API key in ?apikey= for the JWT it stands for (Kong's QueryToken)
    const apikey = apiKeyToken(given, this.ctx.keys);
    // Phoenix refuses a socket whose connect/3 fails with 403 before any websocket exists.
    const verified = await verifyToken(apikey, this.ctx.keys);
    if (!verified.ok) return refuse(socket, 403, 'Forbidden');
    // As Realtime's connect: past the tenant's concurrent users, 429 with its JSON error.
    if (this.connections.size >= this.ctx.limits.maxConcurrentUsers) {
      return refuse(socket, 429, JSON.stringify({ error: systemMessages.tooManyConnections }), 'Too Many Requests', 'application/json');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(this.ctx, ws, socket, vsn, apikey);
      this.connections.add(conn);
      realtimeConnections.inc();
      ws.on('message', (data, isBinary) => conn.receive(data, isBinary));
      ws.on('close', () => {
        if (this.connections.delete(conn)) realtimeConnections.dec();
        conn.closed();
      });
      // A protocol error (e.g. a frame over maxPayload) has already queued its close frame
      // (1009, 1002...): cutting the socket now would drop it and the client would see 1006.
      ws.on('error', () => {
        if (ws.readyState === ws.OPEN) ws.terminate();
      });
    });
  }

  /** Drops every websocket (clients reconnect by themselves). */
  terminateAll(): void {
    for (const c of this.connections) c.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.terminateAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
