import { Readable } from 'node:stream';
import type { BlobStore } from './blobs.js';
import { ERRORS } from './errors.js';
import type { ObjectRow } from './objects.js';

/** Parses one `bytes=a-b` / `bytes=a-` / `bytes=-n` range; null when absent, error when unsatisfiable. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null {
  if (!header) return null;
  // The unit is case-insensitive (RFC 9110), as the HTTP range parsers Storage's backends use take it.
  const m = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
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

/** As Storage's renderer: `?download` alone is a bare attachment, a value names the file. */
function contentDisposition(download: string | undefined): string | null {
  if (download === undefined) return null;
  if (download === '') return 'attachment;';
  const name = encodeURIComponent(download);
  return `attachment; filename=${name}; filename*=UTF-8''${name};`;
}

/**
 * How an object's type goes out so that nothing stored can run script on the API's origin:
 * HTML (any case, any parameters) is served as text/plain, as Storage does; the other types a
 * browser opens as a script-capable document (XHTML, SVG, XML, XSLT) keep their type but get a
 * sandbox CSP (scripts, forms, same-origin all off). Matched loosely, on the whole lower-cased
 * value, so odd spellings ("Text/HTML ;x", "image/svg+xml, text/plain") cannot slip past.
 */
export function servedType(mimetype: string | undefined): { contentType: string; sandbox: boolean } {
  if (!mimetype) return { contentType: 'application/octet-stream', sandbox: false };
  const lower = mimetype.toLowerCase();
  if (lower.includes('html')) return { contentType: 'text/plain', sandbox: true };
  if (/xml|svg|xsl/.test(lower)) return { contentType: mimetype, sandbox: true };
  return { contentType: mimetype, sandbox: false };
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
  const lastModified = new Date(meta.lastModified ?? row.updated_at);
  const served = servedType(meta.mimetype);
  const headers = new Headers({
    'content-type': served.contentType,
    // Never let a browser guess a runnable type from the bytes.
    'x-content-type-options': 'nosniff',
    etag: meta.eTag,
    'last-modified': lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  });
  // A signed URL's response expires with its token, instead of the object's own caching.
  if (served.sandbox) headers.set('content-security-policy', 'sandbox');
  if (opts.expires) headers.set('expires', opts.expires);
  else headers.set('cache-control', meta.cacheControl || 'no-cache');
  const disposition = contentDisposition(opts.download);
  if (disposition) headers.set('content-disposition', disposition);
  if (row.user_metadata) headers.set('x-metadata', Buffer.from(JSON.stringify(row.user_metadata)).toString('base64'));

  const ifNoneMatch = req.headers.get('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(meta.eTag)) {
    return new Response(null, { status: 304, headers });
  }
  // Compared at the header's one-second precision, so echoing Last-Modified back gets a 304.
  const ifModifiedSince = Date.parse(req.headers.get('if-modified-since') ?? '');
  if (!ifNoneMatch && !Number.isNaN(ifModifiedSince) && Math.floor(lastModified.getTime() / 1000) * 1000 <= ifModifiedSince) {
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
