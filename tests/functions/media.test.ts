import { FunctionsHttpError } from '@supabase/supabase-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { anonClient, withDb } from '../storage/support.js';
import { form, mp4, png, signUp } from './support.js';

interface MediaAnswer {
  path: string;
  url: string;
  media_type: 'image' | 'video';
}

async function failure(error: unknown): Promise<{ status: number; body: { code: string; message: string } }> {
  expect(error).toBeInstanceOf(FunctionsHttpError);
  const res = (error as FunctionsHttpError).context as Response;
  return { status: res.status, body: await res.json() };
}

// The first request starts the function's worker; on a fresh machine Deno fetches its npm
// packages then, which may take longer than one test's time limit.
beforeAll(async () => {
  const res = await fetch(`${stack().apiUrl}/functions/v1/media`, { method: 'OPTIONS' });
  await res.arrayBuffer();
}, 240_000);

describe('media function', () => {
  it('an avatar upload sets the profile URL, and a public GET returns the same bytes; a new avatar replaces the old file', async () => {
    const alice = await signUp('alice');
    const bytes = png(1500);
    const { data, error } = await alice.client.functions.invoke<MediaAnswer>('media', { body: form({ kind: 'avatar' }, { bytes, name: 'me.png', type: 'image/png' }) });
    expect(error).toBeNull();
    expect(data).toMatchObject({ media_type: 'image' });
    expect(data!.path).toMatch(new RegExp(`^${alice.id}/avatar-[0-9a-f-]+\\.png$`));
    expect(data!.url).toBe(`${stack().apiUrl}/storage/v1/object/public/avatars/${data!.path}`);

    const profile = await alice.client.from('profiles').select('avatar_url').eq('id', alice.id).single();
    expect(profile.data?.avatar_url).toBe(data!.url);
    const res = await fetch(data!.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    const second = await alice.client.functions.invoke<MediaAnswer>('media', { body: form({ kind: 'avatar' }, { bytes: png(900), name: 'new.png', type: 'image/png' }) });
    expect(second.error).toBeNull();
    const old = await fetch(data!.url);
    expect(old.status).toBe(400);
    expect((await old.json()).statusCode).toBe('404');
  });

  it('attaches an image and then a video to the caller\'s own post', async () => {
    const bob = await signUp('bob');
    const post = await bob.client.from('posts').insert({ content: 'look at this' }).select('id').single();
    expect(post.error).toBeNull();
    const image = await bob.client.functions.invoke<MediaAnswer>('media', { body: form({ kind: 'post', post_id: String(post.data!.id) }, { bytes: png(2000), name: 'pic.png', type: 'image/png' }) });
    expect(image.error).toBeNull();
    expect(image.data).toMatchObject({ media_type: 'image' });
    let row = await bob.client.from('posts').select('media_path, media_type').eq('id', post.data!.id).single();
    expect(row.data).toEqual({ media_path: image.data!.path, media_type: 'image' });

    const video = await bob.client.functions.invoke<MediaAnswer>('media', { body: form({ kind: 'post', post_id: String(post.data!.id) }, { bytes: mp4(64 * 1024), name: 'clip.mp4', type: 'video/mp4' }) });
    expect(video.error).toBeNull();
    expect(video.data).toMatchObject({ media_type: 'video' });
    row = await bob.client.from('posts').select('media_path, media_type').eq('id', post.data!.id).single();
    expect(row.data).toEqual({ media_path: video.data!.path, media_type: 'video' });
    const served = await fetch(video.data!.url);
    expect(served.headers.get('content-type')).toBe('video/mp4');
    expect((await served.arrayBuffer()).byteLength).toBe(64 * 1024);
    // The image it replaced is gone.
    expect((await fetch(image.data!.url)).status).toBe(400);
  });

  it('refuses a wrong type, a spoofed type and a file too large, with clear 4xx answers', async () => {
    const carol = await signUp('carol');
    const invoke = (fields: Record<string, string>, file: { bytes: Uint8Array; name: string; type: string }) =>
      carol.client.functions.invoke('media', { body: form(fields, file) });

    const text = await failure((await invoke({ kind: 'avatar' }, { bytes: new TextEncoder().encode('just text'), name: 'notes.txt', type: 'text/plain' })).error);
    expect(text).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });

    const pngAsMp4 = await failure((await invoke({ kind: 'avatar' }, { bytes: png(), name: 'movie.mp4', type: 'video/mp4' })).error);
    expect(pngAsMp4.status).toBe(415);
    expect(pngAsMp4.body.message).toContain('does not match');

    const htmlAsJpg = await failure((await invoke({ kind: 'avatar' }, { bytes: new TextEncoder().encode('<html><script>alert(1)</script></html>'), name: 'cat.jpg', type: 'image/jpeg' })).error);
    expect(htmlAsJpg).toMatchObject({ status: 415, body: { code: 'unsupported_media_type', message: 'The file is not a supported image or video' } });

    const videoAvatar = await failure((await invoke({ kind: 'avatar' }, { bytes: mp4(), name: 'me.mp4', type: 'video/mp4' })).error);
    expect(videoAvatar.status).toBe(415);

    const big = await failure((await invoke({ kind: 'avatar' }, { bytes: png(2 * 1024 * 1024 + 1), name: 'big.png', type: 'image/png' })).error);
    expect(big).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });

    const invalid = await failure((await invoke({ kind: 'banner' }, { bytes: png(), name: 'a.png', type: 'image/png' })).error);
    expect(invalid).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    const noPost = await failure((await invoke({ kind: 'post' }, { bytes: png(), name: 'a.png', type: 'image/png' })).error);
    expect(noPost.status).toBe(400);

    const profile = await carol.client.from('profiles').select('avatar_url').eq('id', carol.id).single();
    expect(profile.data?.avatar_url).toBeNull();
    const listed = await carol.client.storage.from('avatars').list(carol.id);
    expect(listed.data).toEqual([]);
  });

  it("refuses another user's post, and anon", async () => {
    const [dave, eve] = [await signUp('dave'), await signUp('eve')];
    const post = await dave.client.from('posts').insert({ content: 'mine' }).select('id').single();
    const steal = await failure((await eve.client.functions.invoke('media', { body: form({ kind: 'post', post_id: String(post.data!.id) }, { bytes: png(), name: 'x.png', type: 'image/png' }) })).error);
    expect(steal).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const missing = await failure((await eve.client.functions.invoke('media', { body: form({ kind: 'post', post_id: '999999999' }, { bytes: png(), name: 'x.png', type: 'image/png' }) })).error);
    expect(missing.status).toBe(404);

    const anon = await failure((await anonClient().functions.invoke('media', { body: form({ kind: 'avatar' }, { bytes: png(), name: 'x.png', type: 'image/png' }) })).error);
    expect(anon).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    const row = await dave.client.from('posts').select('media_path').eq('id', post.data!.id).single();
    expect(row.data?.media_path).toBeNull();
  });

  it('removes the stored file when the database update fails', async () => {
    const frank = await signUp('frank');
    const marker = `refuse media ${frank.id}`;
    const post = await frank.client.from('posts').insert({ content: marker }).select('id').single();
    // A trigger that refuses this one post's media update, as a failing write would.
    const trigger = `refuse_media_${frank.id.replace(/-/g, '_')}`;
    await withDb(async (db) => {
      await db.query(`create function tests.${trigger}() returns trigger language plpgsql as $$ begin raise exception 'media update refused'; end $$`);
      await db.query(`create trigger ${trigger} before update of media_path on public.posts for each row when (new.content = '${marker}') execute function tests.${trigger}()`);
    });
    try {
      const { error } = await frank.client.functions.invoke('media', { body: form({ kind: 'post', post_id: String(post.data!.id) }, { bytes: png(700), name: 'x.png', type: 'image/png' }) });
      const res = await failure(error);
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('update_failed');
    } finally {
      await withDb(async (db) => {
        await db.query(`drop trigger ${trigger} on public.posts`);
        await db.query(`drop function tests.${trigger}()`);
      });
    }
    const left = await withDb((db) => db.query("select name from storage.objects where bucket_id = 'post-media' and name like $1", [`${frank.id}/%`]));
    expect(left.rows).toEqual([]);
    const row = await frank.client.from('posts').select('media_path').eq('id', post.data!.id).single();
    expect(row.data?.media_path).toBeNull();
  });

  it('leaves no file unreferenced when uploads to the same post race: each removes only the file it replaced', async () => {
    const gina = await signUp('gina');
    const post = await gina.client.from('posts').insert({ content: 'racing uploads' }).select('id').single();
    const upload = (n: number) => gina.client.functions.invoke<MediaAnswer>('media', {
      body: form({ kind: 'post', post_id: String(post.data!.id) }, { bytes: png(800 + n), name: `r${n}.png`, type: 'image/png' }),
    });
    const results = await Promise.all([upload(1), upload(2), upload(3), upload(4)]);
    for (const r of results) expect(r.error).toBeNull();
    const row = await gina.client.from('posts').select('media_path').eq('id', post.data!.id).single();
    const files = await withDb((db) => db.query("select name from storage.objects where bucket_id = 'post-media' and name like $1", [`${gina.id}/posts/%`]));
    expect(files.rows.map((f) => f.name)).toEqual([row.data!.media_path]);
  });

  it('answers CORS preflight and refuses calls without a JWT at the gateway', async () => {
    const pre = await fetch(`${stack().apiUrl}/functions/v1/media`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    await pre.arrayBuffer();
    const bare = await fetch(`${stack().apiUrl}/functions/v1/media`, { method: 'POST' });
    expect(bare.status).toBe(401);
    expect(await bare.json()).toEqual({ msg: 'Error: Missing authorization header' });
  });
});
