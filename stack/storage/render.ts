import { Readable } from 'node:stream';
import type { BlobStore } from './blobs.js';
import { ERRORS } from './errors.js';
import type { ObjectRow } from './objects.js';

/** Parses one `bytes=a-b` / `bytes=a-` / `bytes=-n` range; null when absent, error when unsatisfiable. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw ERRORS.invalidRange();
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) throw ERRORS.invalidRange();
  return { start, end };
}

function contentDisposition(download: string | undefined, name: string): string | null {
  if (download === undefined) return null;
  const filename = download || name.split('/').pop() || 'download';
  return `attachment; filename=${encodeURIComponent(filename)}; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * An object's bytes as Storage serves them: Content-Type and Cache-Control from upload time,
 * ETag and Last-Modified, If-None-Match -> 304, single byte ranges -> 206, `?download` -> an
 * attachment. `head` answers with the headers only.
 */
export async function renderObject(blobs: BlobStore, row: ObjectRow, req: Request, opts: { download?: string; head?: boolean; expires?: string }): Promise<Response> {
  const meta = row.metadata;
  if (!row.version || !meta) throw ERRORS.noSuchKey();
  const size = (await blobs.size(row.version)) ?? -1;
  if (size < 0) throw ERRORS.noSuchKey();
  const headers = new Headers({
    'content-type': meta.mimetype || 'application/octet-stream',
    'cache-control': meta.cacheControl || 'no-cache',
    etag: meta.eTag,
    'last-modified': new Date(meta.lastModified ?? row.updated_at).toUTCString(),
    'accept-ranges': 'bytes',
  });
  if (opts.expires) headers.set('expires', opts.expires);
  const disposition = contentDisposition(opts.download, row.name);
  if (disposition) headers.set('content-disposition', disposition);
  if (row.user_metadata) headers.set('x-metadata', Buffer.from(JSON.stringify(row.user_metadata)).toString('base64'));

  const ifNoneMatch = req.headers.get('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(meta.eTag)) {
    return new Response(null, { status: 304, headers });
  }
  const range = parseRange(req.headers.get('range'), size);
  if (range) {
    headers.set('content-range', `bytes ${range.start}-${range.end}/${size}`);
    headers.set('content-length', String(range.end - range.start + 1));
  } else {
    headers.set('content-length', String(size));
  }
  const status = range ? 206 : 200;
  if (opts.head || size === 0) return new Response(opts.head ? null : '', { status, headers });
  const stream = Readable.toWeb(blobs.read(row.version, range ?? undefined)) as ReadableStream;
  return new Response(stream, { status, headers });
}

/** The `info` endpoints' body (storage-js `FileObjectV2`). */
export function objectInfo(row: ObjectRow) {
  const meta = row.metadata;
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    bucket_id: row.bucket_id,
    size: meta?.size ?? null,
    content_type: meta?.mimetype ?? null,
    cache_control: meta?.cacheControl ?? null,
    etag: meta?.eTag ?? null,
    metadata: row.user_metadata ?? {},
    last_modified: meta?.lastModified ?? null,
    created_at: row.created_at,
  };
}
