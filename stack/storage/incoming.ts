import { finished, Readable } from 'node:stream';
import busboy from 'busboy';
import { type BlobStore, type StagedBlob, WRITE_BUFFER_BYTES } from './blobs.js';
import { ERRORS, StorageError } from './errors.js';
import { mustBeAllowedMimeType } from './limits.js';

export interface IncomingFile {
  staged: StagedBlob;
  contentType: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | null;
}

export interface UploadRules {
  limit: number;
  allowedMimeTypes: string[] | null;
}

/** Storage's parseUserMetadata: a JSON object, or nothing at all (malformed metadata is ignored, not an error). */
export function parseUserMetadata(value: string | null | undefined, base64: boolean): Record<string, unknown> | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(base64 ? Buffer.from(value, 'base64').toString('utf8') : value) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // ignored, as Storage ignores it
  }
  return null;
}

/**
 * A value that becomes a header of every download: printable ASCII only. No control characters
 * (CR/LF above all), and nothing above U+00FF, which a header cannot carry (every read would fail).
 */
export function isHeaderSafe(value: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(value);
}

function mustBeHeaderSafe(contentType: string): void {
  if (!isHeaderSafe(contentType)) throw ERRORS.invalidParameter('contentType');
}

/** The socket's own IncomingMessage from @hono/node-server's env, when nothing has read its body yet. */
export function untouchedBody(env: unknown): Readable | null {
  const msg = (env as { incoming?: Readable & { readableDidRead?: boolean } } | undefined)?.incoming;
  return msg && typeof msg.pipe === 'function' && msg.readableDidRead === false ? msg : null;
}

/**
 * A request body as a web stream, chunk for chunk. Readable.toWeb copies every chunk (to detach
 * it from Node's buffer pool); a request body's chunks are already the HTTP parser's own copies,
 * so every byte of a resumable upload would be copied once more for nothing. Up to a write
 * buffer's worth waits in the stream, as for a plain upload (blobs.ts): the socket is read on
 * while the consumer is busy, rather than paused and resumed at every chunk.
 */
export function webBody(msg: Readable): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      msg.pause();
      msg.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) msg.pause();
      });
      // also told at once when the client went away before this stream was made
      finished(msg, (err) => {
        if (done) return;
        done = true;
        if (err) controller.error(err);
        else controller.close();
      });
    },
    pull() {
      msg.resume();
    },
    cancel(reason) {
      done = true;
      msg.destroy(reason instanceof Error ? reason : undefined);
    },
  }, { highWaterMark: WRITE_BUFFER_BYTES, size: (chunk) => chunk.byteLength });
}

/**
 * The request body as a Node stream: the socket's own IncomingMessage when @hono/node-server
 * hands it over untouched (no web-stream round trip for large uploads), else the web body.
 */
export function bodyStream(req: Request, env: unknown): Readable {
  const msg = untouchedBody(env);
  if (msg) return msg;
  return req.body ? Readable.fromWeb(req.body as import('node:stream/web').ReadableStream) : Readable.from([]);
}

/** A binary body: type from Content-Type, caching from Cache-Control, metadata from x-metadata. */
async function fromBinary(blobs: BlobStore, req: Request, body: Readable, rules: UploadRules): Promise<IncomingFile> {
  const contentType = req.headers.get('content-type') || 'application/octet-stream';
  mustBeAllowedMimeType(contentType, rules.allowedMimeTypes);
  const userMetadata = parseUserMetadata(req.headers.get('x-metadata'), true);
  const staged = await blobs.stage(body, rules.limit);
  return { staged, contentType, cacheControl: req.headers.get('cache-control') || 'no-cache', userMetadata };
}

/** multipart/form-data as storage-js sends it: fields `cacheControl`, `metadata`, then one file. */
function fromMultipart(blobs: BlobStore, req: Request, body: Readable, rules: UploadRules): Promise<IncomingFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': req.headers.get('content-type') ?? '' }, limits: { files: 1, fields: 10 } });
    } catch {
      return reject(ERRORS.noContent('Unexpected empty file received'));
    }
    const fields: Record<string, string> = {};
    let filePromise: Promise<IncomingFile> | null = null;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      // A file staged after the failure must not stay behind in tmp/.
      filePromise?.then((f) => blobs.discard(f.staged), () => undefined);
      reject(err instanceof StorageError ? err : ERRORS.noContent('Unexpected empty file received'));
    };
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (_name, stream, info) => {
      // A form cut off mid-file destroys this stream with an error too. The parser's own 'error'
      // reports it (and staging's pipeline, once attached, sees it); a stream skipped below, or
      // not yet piped, must not leave it unhandled, which would end the process.
      stream.on('error', () => undefined);
      if (filePromise) return void stream.resume();
      // A `contentType` field sent before the file names its type, as in Storage's uploader.
      const contentType = fields.contentType || info.mimeType || 'application/octet-stream';
      filePromise = (async () => {
        try {
          mustBeHeaderSafe(contentType);
          mustBeAllowedMimeType(contentType, rules.allowedMimeTypes);
        } catch (err) {
          stream.resume();
          throw err;
        }
        const staged = await blobs.stage(stream, rules.limit);
        return { staged, contentType, cacheControl: '', userMetadata: null };
      })();
      filePromise.catch(fail);
    });
    parser.on('error', fail);
    parser.on('close', () => {
      if (!filePromise) return fail(ERRORS.noContent('No file provided'));
      filePromise.then(async (file) => {
        if (settled) return;
        try {
          // Seconds only: anything else (CR/LF above all) would break every later download's headers.
          const cacheTime = fields.cacheControl;
          if (cacheTime && !/^\d{1,10}$/.test(cacheTime)) throw ERRORS.invalidParameter('cacheControl');
          file.cacheControl = cacheTime ? `max-age=${cacheTime}` : 'no-cache';
          // ...and one sent after it too, checked against the bucket's types now.
          if (fields.contentType && fields.contentType !== file.contentType) {
            mustBeHeaderSafe(fields.contentType);
            mustBeAllowedMimeType(fields.contentType, rules.allowedMimeTypes);
            file.contentType = fields.contentType;
          }
          file.userMetadata = parseUserMetadata(fields.metadata, false);
          settled = true;
          resolve(file);
        } catch (err) {
          fail(err);
        }
      }, fail);
    });
    // An aborted request ends the parse (and the file stream within it) with an error.
    body.on('error', (err) => {
      parser.destroy(err);
      fail(err);
    });
    body.pipe(parser);
  });
}

/** Receives an upload into the temp folder, enforcing the bucket's size limit and MIME types. */
export function receiveUpload(blobs: BlobStore, req: Request, body: Readable, rules: UploadRules): Promise<IncomingFile> {
  const type = req.headers.get('content-type') ?? '';
  return type.toLowerCase().startsWith('multipart/form-data') ? fromMultipart(blobs, req, body, rules) : fromBinary(blobs, req, body, rules);
}
