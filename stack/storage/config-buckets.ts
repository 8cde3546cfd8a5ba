import type pg from 'pg';
import { StackError } from '../errors.js';
import { upsertConfigBucket } from './database.js';
import { mustBeValidBucketName, parseFileSize } from './limits.js';

/**
 * `[storage.buckets.<name>]` in config.toml, created or updated on start as `supabase start`
 * does (public, file_size_limit, allowed_mime_types).
 */
export async function applyConfigBuckets(pool: pg.Pool, storage: Record<string, unknown>): Promise<void> {
  const buckets = storage.buckets;
  if (!buckets || typeof buckets !== 'object') return;
  for (const [name, value] of Object.entries(buckets as Record<string, unknown>)) {
    const b = (value ?? {}) as Record<string, unknown>;
    let limit: number | null;
    try {
      mustBeValidBucketName(name);
      limit = parseFileSize(b.file_size_limit);
    } catch (err) {
      throw new StackError(`[storage.buckets.${name}] in supabase/config.toml: ${(err as Error).message}`);
    }
    const types = Array.isArray(b.allowed_mime_types) ? b.allowed_mime_types.map(String) : null;
    await upsertConfigBucket(pool, { name, public: b.public === true, fileSizeLimit: limit, allowedMimeTypes: types });
  }
}
