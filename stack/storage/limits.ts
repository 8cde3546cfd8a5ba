import { ERRORS } from './errors.js';

// Storage's key rule (storage/limits.ts): word characters, '/', and a short list of safe symbols.
const KEY_PATTERN = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/u;
const BUCKET_PATTERN = /^(\w|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/u;

export function mustBeValidKey(key: string): void {
  if (!key || key.length > 1024 || !KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw ERRORS.invalidKey(key);
  }
}

export function mustBeValidBucketName(name: string): void {
  if (!name || name.length > 100 || !BUCKET_PATTERN.test(name) || name.trim() !== name) throw ERRORS.invalidBucketName();
}

const UNITS: Record<string, number> = { b: 1, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** 20971520, "20MB", "50MiB", "30KB", "3B" -> bytes; null for none. */
export function parseFileSize(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw ERRORS.invalidFileSizeLimit();
    return value;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(value));
  const unit = m ? (m[2] || 'b').toLowerCase() : '';
  if (!m || !(unit in UNITS)) throw ERRORS.invalidFileSizeLimit();
  const bytes = Math.floor(Number(m[1]) * UNITS[unit]);
  if (!Number.isSafeInteger(bytes)) throw ERRORS.invalidFileSizeLimit();
  return bytes;
}

/** The media type without parameters, lower-cased: "text/plain;charset=UTF-8" -> "text/plain". */
export function baseMimeType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** `allowed_mime_types` accepts exact types and `type/*` wildcards; empty or null allows all. */
export function mustBeAllowedMimeType(contentType: string, allowed: string[] | null): void {
  if (!allowed || allowed.length === 0) return;
  const mime = baseMimeType(contentType);
  const [type] = mime.split('/');
  const ok = allowed.some((a) => {
    const rule = a.trim().toLowerCase();
    return rule === mime || (rule.endsWith('/*') && rule.slice(0, -2) === type);
  });
  if (!ok) throw ERRORS.invalidMimeType(contentType);
}

/** What a bucket lets in: its own size limit under the global one, and its allowed types. */
export interface BucketRules {
  limit: number;
  allowedMimeTypes: string[] | null;
}

export function bucketRules(bucket: { file_size_limit: string | number | null; allowed_mime_types: string[] | null }, globalLimit: number): BucketRules {
  const bucketLimit = bucket.file_size_limit === null ? Infinity : Number(bucket.file_size_limit);
  return { limit: Math.min(globalLimit, bucketLimit), allowedMimeTypes: bucket.allowed_mime_types };
}

/** An object that already exists (copied or moved in) must meet the destination's rules as an upload would. */
export function mustFitBucket(rules: BucketRules, mimetype: string, size: number): void {
  mustBeAllowedMimeType(mimetype, rules.allowedMimeTypes);
  if (size > rules.limit) throw ERRORS.entityTooLarge();
}
