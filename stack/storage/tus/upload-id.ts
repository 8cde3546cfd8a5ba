import { ERRORS } from '../errors.js';
import { mustBeValidBucketName, mustBeValidKey } from '../limits.js';

/** What an upload URL names: the object it will become and the upload's own id. */
export interface UploadTarget {
  bucketId: string;
  name: string;
  /** The resumable upload's id in the store (a UUID). */
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** As Storage's upload URLs end: base64url of `<bucket>/<object>/<upload id>`. */
export function encodeUploadId(t: UploadTarget): string {
  return Buffer.from(`${t.bucketId}/${t.name}/${t.id}`, 'utf8').toString('base64url');
}

/** The URL's last segment read back; anything else is Storage's InvalidUploadId. */
export function decodeUploadId(segment: string): UploadTarget {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw ERRORS.invalidUploadId();
  const parts = Buffer.from(segment, 'base64url').toString('utf8').split('/');
  if (parts.length < 3) throw ERRORS.invalidUploadId();
  const bucketId = parts[0];
  const id = parts[parts.length - 1];
  const name = parts.slice(1, -1).join('/');
  if (!UUID.test(id)) throw ERRORS.invalidUploadId();
  mustBeValidBucketName(bucketId);
  mustBeValidKey(name);
  return { bucketId, name, id: id.toLowerCase() };
}
