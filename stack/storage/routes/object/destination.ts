import { asSuperuser, type StorageDeps } from '../../context.js';
import { mustFindBucket } from '../../database.js';
import { ERRORS } from '../../errors.js';
import { bucketRules } from '../../limits.js';

/** A move's or copy's required string field (MissingParameter when absent or empty). */
export function requiredKey(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || !v) throw ERRORS.missingParameter(key);
  return v;
}

/** The destination bucket (NoSuchBucket when missing) and its limits, read as superuser as uploads read them; RLS on the object rows decides who may write there. */
export async function destinationRules(deps: StorageDeps, bucketId: string) {
  return bucketRules(await asSuperuser(deps, (client) => mustFindBucket(client, bucketId)), deps.globalFileSizeLimit);
}
