import type { Context } from 'hono';
import type { Caller } from '../../auth.js';
import type { StorageDeps } from '../../context.js';
import { bodyStream, receiveUpload } from '../../incoming.js';
import { bucketRules, mustBeValidKey } from '../../limits.js';
import { metadataFor } from '../../objects.js';
import { admitWrite, storeObject, type ObjectWrite } from '../../write.js';

/**
 * One upload to `:bucket/:path`: the bucket's rules (read as superuser), the caller's right to
 * write the key (RLS, before any byte is read), then the bytes and the row.
 */
export async function receive(deps: StorageDeps, c: Context, who: Caller | 'superuser', owner: string | null, upsert: boolean) {
  const bucketId = c.req.param('bucket')!;
  const name = c.req.param('path')!;
  mustBeValidKey(name);
  const write: ObjectWrite = { bucketId, name, upsert, owner, metadata: metadataFor(0, '""', 'application/octet-stream', 'no-cache'), userMetadata: null };
  const rules = bucketRules(await admitWrite(deps, who, write, c), deps.globalFileSizeLimit);
  const file = await receiveUpload(deps.blobs, c.req.raw, bodyStream(c.req.raw, c.env), rules);
  write.metadata = metadataFor(file.staged.size, file.staged.eTag, file.contentType, file.cacheControl);
  write.userMetadata = file.userMetadata;
  const { id } = await storeObject(deps, who, write, file.staged, c);
  return c.json({ Id: id, Key: `${bucketId}/${name}` });
}
