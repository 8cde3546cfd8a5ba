import type { Context, Hono } from 'hono';
import { named, OPERATIONS } from '../operations.js';
import { asCaller, asSuperuser, caller, type StorageDeps } from '../context.js';
import { ERRORS } from '../errors.js';
import { findBucket, mustFindObject, type ObjectRow } from '../objects.js';
import { objectInfo, renderObject } from '../render.js';
import { verifyUrlToken } from '../signing.js';

function target(c: Context) {
  return { bucketId: c.req.param('bucket')!, name: c.req.param('path')! };
}

/** The row as the caller may see it through RLS. */
async function rowAsCaller(deps: StorageDeps, c: Context): Promise<ObjectRow> {
  const who = await caller(deps, c);
  const { bucketId, name } = target(c);
  return asCaller(deps, who, c, (client) => mustFindObject(client, bucketId, name), { readOnly: true });
}

/** A public bucket's row, read as Storage's superuser; a private bucket is "not found". */
async function publicRow(deps: StorageDeps, c: Context): Promise<ObjectRow> {
  const { bucketId, name } = target(c);
  return asSuperuser(deps, async (client) => {
    const bucket = await findBucket(client, bucketId);
    if (!bucket?.public) throw ERRORS.noSuchBucket();
    return mustFindObject(client, bucketId, name);
  });
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
    const payload = await verifyUrlToken('download', c.req.query('token'), deps.config.jwtSecret, `${bucketId}/${name}`);
    const row = await asSuperuser(deps, (client) => mustFindObject(client, bucketId, name));
    const expires = typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toUTCString() : undefined;
    return renderObject(deps.blobs, row, c.req.raw, { download: download(c), expires });
  }));

  api.get('/object/info/public/:bucket/:path{.+}', named(OPERATIONS.infoPublicObject, async (c) => c.json(objectInfo(await publicRow(deps, c)))));
  api.get('/object/info/authenticated/:bucket/:path{.+}', named(OPERATIONS.infoAuthObject, async (c) => c.json(objectInfo(await rowAsCaller(deps, c)))));
  api.get('/object/info/:bucket/:path{.+}', named(OPERATIONS.infoAuthObject, async (c) => c.json(objectInfo(await rowAsCaller(deps, c)))));

  api.get('/object/authenticated/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await rowAsCaller(deps, c), c.req.raw, { download: download(c) })));
  api.on('HEAD', '/object/authenticated/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await rowAsCaller(deps, c), c.req.raw, { head: true })));

  api.get('/object/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await rowAsCaller(deps, c), c.req.raw, { download: download(c) })));
  api.on('HEAD', '/object/:bucket/:path{.+}', named(OPERATIONS.getAuthObject, async (c) =>
    renderObject(deps.blobs, await rowAsCaller(deps, c), c.req.raw, { head: true })));
}
