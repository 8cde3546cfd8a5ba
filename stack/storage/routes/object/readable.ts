import type { Context } from 'hono';
import { asCaller, asSuperuser, callerOf, type StorageContext, type StorageDeps } from '../../context.js';
import { findBucket, findPublicObject, mustFindObject } from '../../database.js';
import { ERRORS } from '../../errors.js';
import type { ObjectRow } from '../../objects.js';

export function target(c: Context) {
  return { bucketId: c.req.param('bucket')!, name: c.req.param('path')! };
}

/**
 * The row for an authenticated read (download, HEAD, info), as Storage's getObject: the bucket is
 * looked up as superuser; without a valid JWT (allowed on the plain routes) only a public bucket
 * is readable (AccessDenied otherwise); a public bucket's object is read as superuser, a private
 * one's through RLS.
 */
export async function readableRow(deps: StorageDeps, c: StorageContext): Promise<ObjectRow> {
  const who = callerOf(c);
  const { bucketId, name } = target(c);
  const bucket = await asSuperuser(deps, (client) => findBucket(client, bucketId));
  // getObject: an unauthenticated read of anything but a public bucket is refused before the bucket is named
  if (!who.authenticated && !bucket?.public) throw ERRORS.accessDenied('Access denied to this bucket');
  if (!bucket) throw ERRORS.noSuchBucket();
  if (bucket.public) return asSuperuser(deps, (client) => mustFindObject(client, bucketId, name));
  return asCaller(deps, who, c, (client) => mustFindObject(client, bucketId, name), { readOnly: true });
}

/** A public bucket's row, read as Storage's superuser; a private bucket is "not found". */
export async function publicRow(deps: StorageDeps, c: Context): Promise<ObjectRow> {
  const { bucketId, name } = target(c);
  const { bucket, object } = await asSuperuser(deps, (client) => findPublicObject(client, bucketId, name));
  if (!bucket) throw ERRORS.noSuchBucket();
  if (!object) throw ERRORS.noSuchKey();
  return object;
}
