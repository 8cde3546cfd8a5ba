import type { StorageDeps } from '../../context.js';
import { ERRORS } from '../../errors.js';
import { parseFileSize } from '../../limits.js';
import type { BucketRow } from '../../objects.js';
import { schemaError } from '../validate.js';

/**
 * A bucket as Storage sends it: the columns its route selects, in its response schema's order,
 * a null owner as "" (the schema's string type, as Fastify's serializer writes null).
 */
export function renderBucket(b: BucketRow, withType: boolean) {
  return {
    id: b.id,
    name: b.name,
    owner: b.owner ?? '',
    public: b.public,
    ...(withType ? { type: b.type } : {}),
    file_size_limit: b.file_size_limit === null ? null : Number(b.file_size_limit),
    allowed_mime_types: b.allowed_mime_types,
    created_at: b.created_at,
    updated_at: b.updated_at,
  };
}

/** A bucket's own limit may not be above `[storage] file_size_limit` (Storage's validateMaxSizeLimit). */
export function bucketFileSizeLimit(deps: StorageDeps, value: unknown): number | null {
  const limit = parseFileSize(value);
  if (limit !== null && limit > deps.globalFileSizeLimit) throw ERRORS.fileSizeLimitAboveGlobal();
  return limit;
}

export function mimeTypes(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !/^[\w.+-]+\/[\w.+*-]+$/.test(v))) {
    throw schemaError('body/allowed_mime_types must be an array of MIME types');
  }
  return value as string[];
}
