import type { SupabaseClient } from '@supabase/supabase-js';
import { preflight } from '../_shared/cors.ts';
import { badRequest, errorResponse, forbidden, HttpError, json, methodNotAllowed, notFound, tooLarge, unsupportedType } from '../_shared/errors.ts';
import { issues, type MediaUpload, mediaUploadSchema } from '../_shared/schemas.ts';
import { judge } from './detect.ts';
import { LIMITS, type MediaKind } from './limits.ts';

export interface MediaDeps {
  /** The caller's client (RLS applies to every storage and table access). */
  client: (req: Request) => SupabaseClient;
  currentUser: (client: SupabaseClient, req: Request) => Promise<{ id: string }>;
  publicUrlBase: string;
}

// Room for the multipart envelope around the file itself.
const ENVELOPE = 64 * 1024;

async function readForm(req: Request): Promise<MediaUpload> {
  const length = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(length) && length > LIMITS.post.maxBytes + ENVELOPE) throw tooLarge('The file is larger than 50 MB');
  if (!(req.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
    throw badRequest('Send multipart/form-data with kind, file and (for a post) post_id');
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw badRequest('The multipart body could not be read');
  }
  const parsed = mediaUploadSchema.safeParse(Object.fromEntries(form.entries()));
  if (!parsed.success) throw badRequest('Invalid upload', issues(parsed.error));
  return parsed.data;
}

/** The path inside the bucket of one of our public URLs, or null for a foreign URL. */
function pathFromPublicUrl(url: string | null, base: string, bucket: string): string | null {
  const prefix = `${base}/storage/v1/object/public/${bucket}/`;
  if (!url?.startsWith(prefix)) return null;
  try {
    return decodeURIComponent(url.slice(prefix.length));
  } catch {
    return null; // the profile's URL is the user's to edit: a malformed one is simply not ours
  }
}

type Swap = { ok: true; replaced: string | null } | { ok: false; status: number; message: string };

/**
 * Points the post or profile at the new file only while it still holds the value read before
 * (compare-and-swap through a filter on it), so of two concurrent uploads each removes exactly
 * the file it replaced and none is left unreferenced. A lost race reads the value again and
 * retries; an update that changes no row while the value stands is RLS refusing it.
 */
async function pointAt(client: SupabaseClient, upload: MediaUpload, userId: string, read: string | null, value: string, kind: MediaKind): Promise<Swap> {
  const column = upload.kind === 'post' ? 'media_path' : 'avatar_url';
  const row = () => (upload.kind === 'post' ? client.from('posts').select(column).eq('id', upload.post_id) : client.from('profiles').select(column).eq('id', userId));
  let current = read;
  for (let attempt = 0; attempt < 5; attempt++) {
    const base = upload.kind === 'post'
      ? client.from('posts').update({ media_path: value, media_type: kind }).eq('id', upload.post_id)
      : client.from('profiles').update({ avatar_url: value }).eq('id', userId);
    const guarded = current === null ? base.is(column, null) : base.eq(column, current);
    const { data, error } = await guarded.select('id').maybeSingle();
    if (error) return { ok: false, status: 500, message: error.message };
    if (data) return { ok: true, replaced: current };
    const again = await row().maybeSingle();
    if (again.error || !again.data) return { ok: false, status: 403, message: 'The record could not be updated' };
    const now = (again.data as Record<string, string | null>)[column];
    if (now === current) return { ok: false, status: 403, message: 'The record could not be updated' };
    current = now;
  }
  return { ok: false, status: 409, message: 'The record kept changing; try again' };
}

/**
 * POST multipart {kind, file, post_id?}: checks the bytes' real type and the size for the kind,
 * stores the file under the caller's folder, then points their profile (avatar) or their own post
 * at it. If that update fails the new file is removed; the file it replaces is removed after.
 */
export async function handleMedia(req: Request, deps: MediaDeps): Promise<Response> {
  const early = preflight(req);
  if (early) return early;
  try {
    if (req.method !== 'POST') throw methodNotAllowed();
    const client = deps.client(req);
    const user = await deps.currentUser(client, req);
    const upload = await readForm(req);
    const limit = LIMITS[upload.kind];
    if (upload.file.size === 0) throw badRequest('The file is empty');
    if (upload.file.size > limit.maxBytes) throw tooLarge(`The file is larger than ${limit.maxBytes / (1024 * 1024)} MB`);
    const bytes = new Uint8Array(await upload.file.arrayBuffer());
    const verdict = await judge(bytes, upload.file.name, upload.file.type, upload.kind);
    if (!verdict.ok) throw unsupportedType(verdict.reason);
    const { mime, kind, extension } = verdict.type;

    // the row's current value (a post's media_path, a profile's avatar_url), as read before the upload
    let current: string | null;
    let path: string;
    if (upload.kind === 'post') {
      const { data: post, error } = await client.from('posts').select('id, author_id, media_path').eq('id', upload.post_id).maybeSingle();
      if (error) throw new HttpError(500, 'internal_error', `Could not read the post: ${error.message}`);
      if (!post) throw notFound('No such post');
      if (post.author_id !== user.id) throw forbidden('Only the author can add media to a post');
      current = post.media_path;
      path = `${user.id}/posts/${post.id}/${crypto.randomUUID()}.${extension}`;
    } else {
      const { data: profile, error } = await client.from('profiles').select('avatar_url').eq('id', user.id).maybeSingle();
      if (error || !profile) throw new HttpError(500, 'internal_error', 'Could not read the profile');
      current = profile.avatar_url;
      path = `${user.id}/avatar-${crypto.randomUUID()}.${extension}`;
    }

    const bucket = client.storage.from(LIMITS[upload.kind].bucket);
    const stored = await bucket.upload(path, bytes, { contentType: mime, cacheControl: '3600', upsert: false });
    if (stored.error) {
      const status = Number((stored.error as { statusCode?: string }).statusCode);
      throw new HttpError(status === 413 ? 413 : status === 415 ? 415 : status === 403 ? 403 : 502, 'storage_error', stored.error.message);
    }
    const url = bucket.getPublicUrl(path).data.publicUrl;

    const swapped = await pointAt(client, upload, user.id, current, upload.kind === 'post' ? path : url, kind);
    if (!swapped.ok) {
      // The row was not changed: the stored file would be an orphan.
      await bucket.remove([path]);
      throw new HttpError(swapped.status, 'update_failed', swapped.message);
    }
    const replaced = upload.kind === 'post' ? swapped.replaced : pathFromPublicUrl(swapped.replaced, deps.publicUrlBase, LIMITS.avatar.bucket);
    if (replaced && replaced !== path) {
      const removed = await bucket.remove([replaced]);
      if (removed.error) console.warn(JSON.stringify({ level: 'warn', event: 'old_media_not_removed', path: replaced, message: removed.error.message }));
    }
    console.log(JSON.stringify({ level: 'info', event: 'media_stored', user_id: user.id, kind: upload.kind, path, media_type: kind, bytes: bytes.length }));
    return json({ path, url, media_type: kind });
  } catch (err) {
    return errorResponse(err);
  }
}
