import type { Context, Hono } from 'hono';
import { named, OPERATIONS } from '../operations.js';
import type { Caller } from '../auth.js';
import { asSuperuser, caller, type StorageDeps } from '../context.js';
import { ERRORS } from '../errors.js';
import { bodyStream, receiveUpload } from '../incoming.js';
import { bucketRules, mustBeValidKey } from '../limits.js';
import { metadataFor, mustFindBucket } from '../objects.js';
import { verifyUrlToken } from '../signing.js';
import { checkWritePermission, storeObject, type ObjectWrite } from '../write.js';

async function upload(deps: StorageDeps, c: Context, who: Caller | 'superuser', owner: string | null, upsert: boolean) {
  const bucketId = c.req.param('bucket')!;
  const name = c.req.param('path')!;
  mustBeValidKey(name);
  const bucket = await asSuperuser(deps, (client) => mustFindBucket(client, bucketId));
  const rules = bucketRules(bucket, deps.globalFileSizeLimit);
  const write: ObjectWrite = { bucketId, name, upsert, owner, metadata: metadataFor(0, '""', 'application/octet-stream', 'no-cache'), userMetadata: null };
  await checkWritePermission(deps, who, write, c);
  const file = await receiveUpload(deps.blobs, c.req.raw, bodyStream(c.req.raw, (c.env as { incoming?: unknown } | undefined)?.incoming), rules);
  write.metadata = metadataFor(file.staged.size, file.staged.eTag, file.contentType, file.cacheControl);
  write.userMetadata = file.userMetadata;
  const { id } = await storeObject(deps, who, write, file.staged, c);
  return c.json({ Id: id, Key: `${bucketId}/${name}` });
}

/** Uploads: POST creates (or replaces with `x-upsert: true`), PUT replaces; signed upload URLs. */
export function uploadRoutes(api: Hono, deps: StorageDeps): void {
  api.put('/object/upload/sign/:bucket/:path{.+}', named(OPERATIONS.uploadSignedObject, async (c) => {
    const path = `${c.req.param('bucket')!}/${c.req.param('path')!}`;
    const payload = await verifyUrlToken('upload', c.req.query('token'), deps.config.jwtSecret, path);
    const owner = typeof payload.owner === 'string' ? payload.owner : null;
    // The token carries the signer's upsert choice; a client cannot widen it.
    return upload(deps, c, 'superuser', owner, payload.upsert === true);
  }));

  api.post('/object/:bucket/:path{.+}', named(OPERATIONS.createObject, async (c) => {
    const who = await caller(deps, c);
    return upload(deps, c, who, who.userId, c.req.header('x-upsert') === 'true');
  }));

  api.put('/object/:bucket/:path{.+}', named(OPERATIONS.updateObject, async (c) => {
    const who = await caller(deps, c);
    return upload(deps, c, who, who.userId, true);
  }));

  api.post('/object/:bucket', () => {
    throw ERRORS.invalidKey('');
  });
}
