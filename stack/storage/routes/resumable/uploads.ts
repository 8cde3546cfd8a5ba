import type { OpenAPIV3 } from 'openapi-types';
import { pathParam } from '../../../docs/schema-helpers.js';
import { storageSettings } from '../../../config/storage.js';
import type { Caller } from '../../auth.js';
import { callerOf, type StorageContext, type StorageDeps } from '../../context.js';
import { ERRORS, StorageError } from '../../errors.js';
import { isHeaderSafe, untouchedBody, webBody } from '../../incoming.js';
import { mustBeAllowedMimeType } from '../../limits.js';
import { metadataFor } from '../../objects.js';
import { named } from '../../operations.js';
import { createResumableUploads, setCall, tusError, type ResumableUploads } from '../../tus/server.js';
import { decodeUploadId } from '../../tus/upload-id.js';
import { admitWrite } from '../../write.js';

const SWEEP_EVERY_MS = 10 * 60 * 1000;

/** What a browser's tus client must read from the answers (the storage API's CORS exposes them). */
export const RESUMABLE_EXPOSED_HEADERS = ['location', 'upload-offset', 'upload-length', 'upload-metadata', 'upload-expires', 'upload-defer-length', 'tus-resumable', 'tus-version', 'tus-max-size', 'tus-extension'];

export const uploadIdParam: OpenAPIV3.ParameterObject = pathParam('id', 'The upload, as the creation\'s Location names it');
export const tusHeaders: OpenAPIV3.ParameterObject[] = [{ name: 'Tus-Resumable', in: 'header', required: true, schema: { type: 'string', enum: ['1.0.0'] } }];
const tusAnswer = (description: string): OpenAPIV3.ResponseObject => ({ description });
export const tusRefusals = { 400: tusAnswer('Refused (plain-text message)'), 403: tusAnswer('Not allowed by RLS'), 404: tusAnswer('No such bucket or upload'), 413: tusAnswer('Over the bucket\'s size limit') };

/**
 * The tus server every resumable route shares. Abandoned uploads are removed once they expire:
 * at start (after a restart) and then periodically, until the app closes.
 */
export function startResumableUploads(deps: StorageDeps, onClose: (fn: () => void) => void): ResumableUploads {
  const expiryMs = storageSettings(deps.config).resumableExpiryMs;
  const tus = createResumableUploads(deps, expiryMs);
  void tus.cleanUp();
  const sweep = setInterval(() => void tus.cleanUp(), Math.min(expiryMs, SWEEP_EVERY_MS));
  sweep.unref();
  onClose(() => clearInterval(sweep));
  return tus;
}

/** A refusal in the protocol's own form (status + plain-text message), as Storage's TUS routes answer. */
export function refuse(err: unknown): Response {
  if (!(err instanceof StorageError) || err.statusCode >= 500) throw err;
  const { status_code, body } = tusError(err);
  return new Response(body, { status: status_code, headers: { 'Tus-Resumable': '1.0.0', 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * The request as the protocol server reads it: with the socket's own body when nothing has read
 * it yet, so a chunk's bytes pass one web stream on their way to the file instead of two.
 */
function protocolRequest(c: StorageContext): Request {
  const req = c.req.raw;
  const body = untouchedBody(c.env);
  if (!body || req.method !== 'PATCH') return req;
  return new Request(req.url, { method: req.method, headers: req.headers, body: webBody(body), duplex: 'half' } as RequestInit);
}

/** The bucket's limits for an upload into it, and the caller's right to write the key (RLS, as a plain upload). */
export async function admit(deps: StorageDeps, c: StorageContext, tus: ResumableUploads, who: Caller, target: { bucketId: string; name: string; contentType: string | null; id?: string }) {
  const upsert = c.req.header('x-upsert') === 'true';
  const write = {
    bucketId: target.bucketId,
    name: target.name,
    upsert,
    owner: who.userId,
    metadata: metadataFor(0, '""', target.contentType ?? 'application/octet-stream', 'no-cache'),
    userMetadata: null,
  };
  const bucket = await admitWrite(deps, who, write, c, (found) => {
    if (target.contentType === null) return;
    if (!isHeaderSafe(target.contentType)) throw ERRORS.invalidParameter('contentType');
    mustBeAllowedMimeType(target.contentType, found.allowed_mime_types);
  });
  const bucketLimit = bucket.file_size_limit === null ? Infinity : Number(bucket.file_size_limit);
  const req = protocolRequest(c);
  setCall(req, { who, c, bucketId: target.bucketId, name: target.name, upsert, limit: Math.min(deps.globalFileSizeLimit, bucketLimit), uploadId: target.id });
  return tus.server.handleWeb(req);
}

/**
 * A request about an upload already created (HEAD, PATCH, DELETE): the URL names bucket and key,
 * which must be the ones the upload was created for; then it is admitted as its creation was.
 */
export function existingUpload(deps: StorageDeps, tus: ResumableUploads, operation: string) {
  return named(operation, async (c: StorageContext) => {
    const who = callerOf(c);
    try {
      const target = decodeUploadId(c.req.param('id')!);
      // the upload's state, kept in memory after its first read (state-store.ts)
      const metadata = (await tus.store.configstore.get(target.id))?.metadata;
      if (metadata && (metadata.bucketName !== target.bucketId || metadata.objectName !== target.name)) throw ERRORS.invalidUploadId();
      return await admit(deps, c, tus, who, { ...target, contentType: metadata?.contentType ?? null });
    } catch (err) {
      return refuse(err);
    }
  });
}
