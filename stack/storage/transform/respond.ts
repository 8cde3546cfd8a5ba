import type { BlobStore } from '../blobs.js';
import { ERRORS } from '../errors.js';
import type { ObjectRow } from '../objects.js';
import { CONTENT_TYPES, targetFormat } from './image.js';
import { transformationsString, type TransformOptions } from './options.js';
import type { VariantCache } from './variants.js';

export interface RenderImageOptions {
  download?: string;
  /** A signed URL's expiry, sent instead of the object's own Cache-Control. */
  expires?: string;
}

function contentDisposition(download: string): string {
  if (download === '') return 'attachment;';
  const name = encodeURIComponent(download);
  return `attachment; filename=${name}; filename*=UTF-8''${name};`;
}

/**
 * A transformed image as Storage's image renderer answers: the variant's type and length, the
 * original's ETag, Last-Modified and Cache-Control (Expires on a signed URL), the applied
 * transformations in X-Transformations, If-None-Match -> 304.
 */
export async function renderImage(blobs: BlobStore, variants: VariantCache, row: ObjectRow, req: Request, transform: TransformOptions, opts: RenderImageOptions): Promise<Response> {
  const meta = row.metadata;
  if (!row.version || !meta) throw ERRORS.noSuchKey();
  const target = targetFormat(transform, req.headers.get('accept'));
  const headers = new Headers({
    etag: meta.eTag,
    'last-modified': new Date(meta.lastModified ?? row.updated_at).toUTCString(),
    'x-content-type-options': 'nosniff',
  });
  // Without an explicit format the answer depends on Accept: caches must key on it.
  if (!transform.format) headers.set('vary', 'Accept');
  if (opts.expires) headers.set('expires', opts.expires);
  else headers.set('cache-control', meta.cacheControl || 'no-cache');
  const applied = transformationsString(transform);
  if (applied) headers.set('x-transformations', applied);
  if (opts.download !== undefined) headers.set('content-disposition', contentDisposition(opts.download));

  const ifNoneMatch = req.headers.get('if-none-match');
  if (ifNoneMatch?.split(',').map((t) => t.trim().replace(/^W\//, '')).includes(meta.eTag)) {
    return new Response(null, { status: 304, headers });
  }
  // Variants are small (a few hundred kB at most): answered from memory, not streamed.
  const variant = await variants.get(row.version, blobs.pathOf(row.version), meta.size, transform, target);
  headers.set('content-type', CONTENT_TYPES[variant.format] ?? 'application/octet-stream');
  headers.set('content-length', String(variant.data.length));
  return new Response(new Uint8Array(variant.data.buffer as ArrayBuffer, variant.data.byteOffset, variant.data.length), { status: 200, headers });
}
