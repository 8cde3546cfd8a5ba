// What each upload may be: its bucket, size and media types. The buckets' own limits are set by
// the storage_buckets migration (the source: `db push` deploys it) and repeated in config.toml's
// [storage.buckets.*]; these mirror them so a file is refused before it is sent. The test
// tests/storage/bucket-limits.test.ts fails when any of the three differ.

export type MediaKind = 'image' | 'video';
export type UploadKind = 'avatar' | 'post';

/** The media types accepted, each with the kind it counts as and its file-name extensions. */
export const TYPES: Record<string, { kind: MediaKind; extensions: string[] }> = {
  'image/png': { kind: 'image', extensions: ['png'] },
  'image/jpeg': { kind: 'image', extensions: ['jpg', 'jpeg'] },
  'image/webp': { kind: 'image', extensions: ['webp'] },
  'image/gif': { kind: 'image', extensions: ['gif'] },
  'video/mp4': { kind: 'video', extensions: ['mp4', 'm4v'] },
  'video/webm': { kind: 'video', extensions: ['webm'] },
  'video/quicktime': { kind: 'video', extensions: ['mov', 'qt'] },
};

export const LIMITS: Record<UploadKind, { bucket: string; maxBytes: number; kinds: MediaKind[] }> = {
  avatar: { bucket: 'avatars', maxBytes: 2 * 1024 * 1024, kinds: ['image'] },
  post: { bucket: 'post-media', maxBytes: 50 * 1024 * 1024, kinds: ['image', 'video'] },
};

/** The media types an upload of this kind may have: what its bucket's allowed_mime_types lists. */
export function mimeTypesFor(upload: UploadKind): string[] {
  return Object.entries(TYPES).filter(([, t]) => LIMITS[upload].kinds.includes(t.kind)).map(([mime]) => mime);
}
