import type { Context, Hono } from 'hono';
import { named, OPERATIONS } from '../operations.js';
import { asCaller, asSuperuser, caller, type StorageDeps } from '../context.js';
import { ERRORS } from '../errors.js';
import { findBucket, findPublicObject, mustFindObject, type ObjectRow } from '../objects.js';
import { objectInfo, renderObject } from '../render.js';
import { verifyUrlToken } from '../signing.js';
import { jwtKeys } from '../../jwt/keys.js';

function target(c: Context) {
  return { bucketId: c.req.param('bucket')!, name: c.req.param('path')! };
}

/**
 * The row for an authenticated read (download, HEAD, info), as Storage's getObject: the bucket is
 * looked up as superuser; without a valid JWT (allowed on the plain routes) only a public bucket
 * is readable (AccessDenied otherwise); a public bucket's object is read as superuser, a private
 * one's through RLS.
 */
async function readableRow(deps: StorageDeps, c: Context, allowInvalidJwt: boolean): Promise<ObjectRow> {
  const who = await caller(deps, c, { allowInvalidJwt });
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

/** Downloads (authenticated, public, signed), HEAD and info. */
export function readRoutes(api: Hono, deps: StorageDeps): void {
  const download = (c: Context) => c.req.query('download');

  api.get('/object/public/:bucket/:path{.+}', named(OPERATIONS.getPublicObject, async (c) =>
    renderObject(deps.blobs, await publicRow(deps, c), c.req.raw, { download: download(c) })));
  api.on('HEAD', '/object/public/:bucket/:path{.+}', named(OPERATIONS.getPublicObject, async (c) =>
    renderObject(deps.blobs, await publicRow(deps, c), c.req.raw, { head: true })));

  api.get('/object/sign/:bucket/:path{.+}', named(OPERATIONS.getSignedObject, async (c) => {
    const { bucketId, name } = target(c);
    const payload = await verifyUrlToken('download', c.req.query('token'), jwtKeys(deps.config), `${bucketId}/${name}`);
    const row = await asSuperuser(deps, (client) => mustFindObject(client, bucketId, name));
    const expires = typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toUTCString() : undefined;
    return renderObject(deps.blobs, row, c.req.raw, { download: download(c), expires });
  }));

  api.get('/object/info/public/:bucket/:path{.+}', named(OPERATIONS.infoPublicObject, async (c) => c.json(objectInfo(await publicRow(deps, c)))));
  // The `/authenticated/` routes need a valid JWT; the plain ones take a missing or bad one as anon.
  api.get('/object/info/authenticated/:bucket/:path{.+}', named(OPERATIONS.infoAuthObject, async (c) => c.json(objectInfo(await readableRow(deps, c, false)))));
  api.get('/object/info/:bucket/:path{.+}', named(OPERATIONS.infoAuthObject, async (c) => c.json(objectInfo(await readableRow(deps, c, true)))));

  api.get('/object/authenticated/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await readableRow(deps, c, false), c.req.raw, { download: download(c) })));
  api.on('HEAD', '/object/authenticated/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await readableRow(deps, c, false), c.req.raw, { head: true })));

  api.get('/object/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await readableRow(deps, c, true), c.req.raw, { download: download(c) })));
  api.on('HEAD', '/object/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await readableRow(deps, c, true), c.req.raw, { head: true })));
}
