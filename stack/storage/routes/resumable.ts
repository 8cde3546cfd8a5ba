import type { Context, Hono } from 'hono';
import { Metadata } from '@tus/server';
import { storageSettings } from '../../config/storage.js';
import type { Caller } from '../auth.js';
import { asSuperuser, caller, type StorageDeps } from '../context.js';
import { ERRORS, StorageError } from '../errors.js';
import { isHeaderSafe } from '../incoming.js';
import { mustBeAllowedMimeType, mustBeValidBucketName, mustBeValidKey } from '../limits.js';
import { metadataFor, mustFindBucket } from '../objects.js';
import { named, OPERATIONS } from '../operations.js';
import { createResumableUploads, setCall, setUploadId, tusError, type ResumableUploads } from '../tus/server.js';
import { decodeUploadId } from '../tus/upload-id.js';
import { checkWritePermission } from '../write.js';

const SWEEP_EVERY_MS = 10 * 60 * 1000;

/** What a browser's tus client must read from the answers (the storage API's CORS exposes them). */
export const RESUMABLE_EXPOSED_HEADERS = ['location', 'upload-offset', 'upload-length', 'upload-metadata', 'upload-expires', 'upload-defer-length', 'tus-resumable', 'tus-version', 'tus-max-size', 'tus-extension'];

/** A refusal in the protocol's own form (status + plain-text message), as Storage's TUS routes answer. */
function refuse(err: unknown): Response {
  if (!(err instanceof StorageError) || err.statusCode >= 500) throw err;
  const { status_code, body } = tusError(err);
  return new Response(body, { status: status_code, headers: { 'Tus-Resumable': '1.0.0', 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** The bucket's limits for an upload into it, and the caller's right to write the key (RLS, as a plain upload). */
async function admit(deps: StorageDeps, c: Context, tus: ResumableUploads, who: Caller, target: { bucketId: string; name: string; contentType: string | null }) {
  const upsert = c.req.header('x-upsert') === 'true';
  const bucket = await asSuperuser(deps, (client) => mustFindBucket(client, target.bucketId));
  if (target.contentType !== null) {
    if (!isHeaderSafe(target.contentType)) throw ERRORS.invalidParameter('contentType');
    mustBeAllowedMimeType(target.contentType, bucket.allowed_mime_types);
  }
  const bucketLimit = bucket.file_size_limit === null ? Infinity : Number(bucket.file_size_limit);
  await checkWritePermission(deps, who, {
    bucketId: target.bucketId,
    name: target.name,
    upsert,
    owner: who.userId,
    metadata: metadataFor(0, '""', target.contentType ?? 'application/octet-stream', 'no-cache'),
    userMetadata: null,
  }, c);
  setCall(c.req.raw, { who, c, bucketId: target.bucketId, name: target.name, upsert, limit: Math.min(deps.globalFileSizeLimit, bucketLimit) });
  return tus.server.handleWeb(c.req.raw);
}

/**
 * /upload/resumable: Supabase's resumable uploads (the tus 1.0 protocol, as tus-js-client and
 * Uppy speak it). Creation names the object in Upload-Metadata (`bucketName`, `objectName`,
 * `contentType`, `cacheControl`, `metadata`); every later request names the upload by the URL
 * creation returned. Each request is checked as the caller: a valid JWT, the bucket's MIME types
 * and size limit, and RLS's permission to write the key.
 */
export function resumableRoutes(api: Hono, deps: StorageDeps, onClose: (fn: () => void) => void): void {
  const expiryMs = storageSettings(deps.config).resumableExpiryMs;
  const tus = createResumableUploads(deps, expiryMs);
  // Abandoned uploads are removed once they expire: at start (after a restart) and then periodically.
  void tus.cleanUp();
  const sweep = setInterval(() => void tus.cleanUp(), Math.min(expiryMs, SWEEP_EVERY_MS));
  sweep.unref();
  onClose(() => clearInterval(sweep));

  api.options('/upload/resumable', named(OPERATIONS.tusOptions, (c) => tus.server.handleWeb(c.req.raw)));
  api.options('/upload/resumable/:id', named(OPERATIONS.tusOptions, (c) => tus.server.handleWeb(c.req.raw)));

  api.post('/upload/resumable', named(OPERATIONS.tusCreateUpload, async (c) => {
    // A missing or bad JWT is answered as every storage route answers it.
    const who = await caller(deps, c);
    let meta: Record<string, string | null>;
    try {
      const header = c.req.header('upload-metadata');
      meta = header ? Metadata.parse(header) : {};
    } catch {
      return refuse(ERRORS.invalidParameter('upload-metadata'));
    }
    try {
      const bucketId = meta.bucketName ?? '';
      const name = meta.objectName ?? '';
      mustBeValidBucketName(bucketId);
      mustBeValidKey(name);
      return await admit(deps, c, tus, who, { bucketId, name, contentType: meta.contentType ?? null });
    } catch (err) {
      return refuse(err);
    }
  }));

  const existing = (operation: string) => named(operation, async (c: Context) => {
    const who = await caller(deps, c);
    try {
      const target = decodeUploadId(c.req.param('id')!);
      // The URL names bucket and key; they must be the ones the upload was created for.
      const upload = await tus.store.getUpload(target.id).catch(() => null);
      if (upload && (upload.metadata?.bucketName !== target.bucketId || upload.metadata?.objectName !== target.name)) throw ERRORS.invalidUploadId();
      setUploadId(c.req.raw, target.id);
      return await admit(deps, c, tus, who, { ...target, contentType: upload?.metadata?.contentType ?? null });
    } catch (err) {
      return refuse(err);
    }
  });
  // Hono routes HEAD through GET routes. A GET (which would read a partial upload's bytes) is no route here.
  const head = existing(OPERATIONS.tusGetUpload);
  api.get('/upload/resumable/:id', (c, next) => (c.req.method === 'HEAD' ? head(c) : next()));
  api.patch('/upload/resumable/:id', existing(OPERATIONS.tusUploadPart));
  api.delete('/upload/resumable/:id', existing(OPERATIONS.tusDeleteUpload));
}
