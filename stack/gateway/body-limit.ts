import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';

/**
 * Request bodies read against a cap, as every component reads them: a declared Content-Length
 * over the cap is refused before a byte is read, and a body without one is counted as it arrives
 * and refused the moment it passes the cap, so nothing beyond the cap is ever held in memory.
 * Each component answers `BodyTooLarge` with a 413 in its own error format. The rest of the
 * upload is never read into memory: once the answer is out, the HTTP server (@hono/node-server)
 * gives the client a moment to read it, then closes the connection.
 */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** Throws BodyTooLarge when the request declares a body longer than `limit`. */
export function checkDeclaredLength(headers: Headers, limit: number): void {
  const declared = Number(headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge(limit);
}

/** The whole body, at most `limit` bytes (BodyTooLarge past that). */
export async function readCapped(request: Request, limit: number): Promise<Uint8Array> {
  checkDeclaredLength(request.headers, limit);
  // With a declared length (checked above) Node's HTTP parser delivers exactly that many bytes,
  // so the plain read is bounded too, and far cheaper than a web stream reader on the hot path.
  if (/^\d+$/.test(request.headers.get('content-length') ?? '')) return new Uint8Array(await request.arrayBuffer());
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // stop reading (no cancel: that would reset the socket before the 413 is written)
      reader.releaseLock();
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.byteLength);
  return out;
}

/**
 * The whole body of a request read straight from Node (the gateway's lanes), at most `limit` bytes:
 * the same rules as `readCapped`. Past the cap the stream is paused and left unread; the lane
 * drains or closes it once the 413 is out (`drainUnread`).
 */
export function readIncomingCapped(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(incoming.headers['content-length'] ?? '');
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge(limit));
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        done();
        incoming.pause();
        reject(new BodyTooLarge(limit));
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => onError(new Error('the client closed the connection before the body was complete'));
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** How much of an unread body is read and discarded after the answer, and for how long, before the connection is closed. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 500;

/**
 * After answering without reading the whole body (a 413, an early error): the rest is read and
 * discarded for a moment, so the client can finish sending and read the answer, then the
 * connection is closed; a client that keeps sending cannot hold it open.
 */
export function drainUnread(incoming: IncomingMessage): void {
  if (incoming.complete || incoming.destroyed) return;
  let read = 0;
  const close = () => {
    clearTimeout(timer);
    incoming.off('data', onData);
    const socket = incoming.socket;
    if (socket && !socket.destroyed) socket.destroySoon();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_MAX_BYTES) close();
  };
  const timer = setTimeout(close, DRAIN_MAX_MS);
  timer.unref();
  incoming.on('data', onData);
  incoming.once('end', () => {
    clearTimeout(timer);
    incoming.off('data', onData);
  });
  incoming.resume();
}

const utf8 = new TextDecoder();

/** The body as text, at most `limit` bytes. */
export async function readCappedText(request: Request, limit: number): Promise<string> {
  return utf8.decode(await readCapped(request, limit));
}

/**
 * The body passed through as a stream (to a function's worker), erroring with BodyTooLarge once
 * more than `limit` bytes went through (after calling `onExceeded`).
 */
export function cappedStream(body: ReadableStream<Uint8Array>, limit: number, onExceeded: () => void): ReadableStream<Uint8Array> {
  let total = 0;
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > limit) {
        onExceeded();
        controller.error(new BodyTooLarge(limit));
      } else controller.enqueue(chunk);
    },
  }));
}

/**
 * Whether JSON text nests arrays/objects deeper than `max`: one pass over the text, skipping
 * strings, before any parser (or anything recursive after it) meets the value.
 */
export function jsonNestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The request-body cap of the component serving the request, set by its app (bodyLimit). */
    bodyLimit: number;
  }
}

/** Middleware of a component's app: its body cap, for the body readers below it. */
export function bodyLimit(bytes: number): MiddlewareHandler {
  return async (c, next) => {
    c.set('bodyLimit', bytes);
    await next();
  };
}

/** The body of the request `c` serves as text, within its component's cap. */
export function readContextText(c: Context): Promise<string> {
  const limit = c.get('bodyLimit');
  if (limit === undefined) throw new Error('no body limit set for this route');
  return readCappedText(c.req.raw, limit);
}
