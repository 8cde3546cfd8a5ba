import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Server, type Upload } from '@tus/server';
import type { Context } from 'hono';
import type { Caller } from '../auth.js';
import type { StorageDeps } from '../context.js';
import { StorageError } from '../errors.js';
import { completeUpload } from './complete.js';
import { HashingFileStore } from './hashing-store.js';
import { KeptStateStore } from './state-store.js';
import { encodeUploadId } from './upload-id.js';

/** What one request to the resumable endpoint was checked for, read by the protocol's hooks. */
export interface ResumableCall {
  who: Caller;
  c: Context;
  bucketId: string;
  name: string;
  upsert: boolean;
  /** The most this upload may hold: the bucket's limit under the global one. */
  limit: number;
  /** The store's id of an upload already created, decoded and checked from the URL by the route. */
  uploadId?: string;
}

const calls = new WeakMap<Request, ResumableCall>();

export function setCall(req: Request, call: ResumableCall): void {
  calls.set(req, call);
}

function callOf(req: Request): ResumableCall {
  const call = calls.get(req);
  if (!call) throw new StorageError('InternalError', 500, 'resumable upload without a checked request');
  return call;
}

/** A StorageError as the protocol's answer: its status and message, as Storage's TUS routes reply. */
export function tusError(err: StorageError): { status_code: number; body: string } {
  return { status_code: err.statusCode, body: err.message };
}

export interface ResumableUploads {
  server: Server;
  store: HashingFileStore;
  /** Removes unfinished uploads older than the expiry (their data and state). */
  cleanUp: () => Promise<number>;
}

/**
 * The tus protocol server over a file store in `<dataDir>/storage/resumable`: each upload is a
 * data file and a JSON state file, so an upload survives a restart of the stack and resumes
 * from its offset. The object row is written only when the last byte arrives (completeUpload).
 */
export function createResumableUploads(deps: StorageDeps, expiryMs: number): ResumableUploads {
  const directory = path.join(deps.blobs.blobDir, '..', 'resumable');
  const store = new HashingFileStore({ directory, configstore: new KeptStateStore(directory), expirationPeriodInMilliseconds: expiryMs });
  const server = new Server({
    path: '/storage/v1/upload/resumable',
    datastore: store,
    // Storage refuses to terminate a finished upload: it is an object now.
    disableTerminationForFinishedUploads: true,
    allowedHeaders: ['Authorization', 'X-Upsert', 'Upload-Expires', 'ApiKey', 'x-signature'],
    maxSize: (req) => callOf(req as unknown as Request).limit,
    namingFunction: () => randomUUID(),
    generateUrl: (req, { proto, host, path: base, id }) => {
      const call = callOf(req as unknown as Request);
      return `${proto}://${host}${base}/${encodeUploadId({ bucketId: call.bucketId, name: call.name, id })}`;
    },
    // The route has decoded and checked the URL's id; the store knows the upload by its UUID.
    getFileIdFromRequest: (req) => calls.get(req as unknown as Request)?.uploadId,
    onUploadCreate: async (_req, upload) => {
      // Storage keeps cache control as a header value: seconds become max-age.
      const metadata = { ...(upload.metadata ?? {}) };
      metadata.cacheControl = /^\d{1,10}$/.test(metadata.cacheControl ?? '') ? `max-age=${metadata.cacheControl}` : 'no-cache';
      return { metadata };
    },
    onUploadFinish: async (req, upload: Upload) => {
      await completeUpload(deps, store, callOf(req as unknown as Request), upload);
      return { headers: { 'Tus-Complete': '1' } };
    },
    onResponseError: (_req, err) => {
      if (err instanceof StorageError) return tusError(err);
      // the protocol's own refusals (a chunk past the upload's length is a MaxFileExceededError: 413)
      if (typeof (err as { status_code?: unknown }).status_code === 'number') return undefined;
      if (err instanceof Error) {
        deps.log.error({ err }, 'resumable upload failed');
        return { status_code: 500, body: 'Internal server error' };
      }
      return undefined;
    },
  });
  const cleanUp = async () => {
    try {
      return await server.cleanUpExpiredUploads();
    } catch (err) {
      deps.log.warn({ err }, 'could not clean up expired resumable uploads');
      return 0;
    }
  };
  return { server, store, cleanUp };
}
