import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import ws from 'ws';
import type { Database } from '../../types/database.js';
import { stack } from '../support/env.js';

// The seed plan's flows as a client walks them with supabase-js against /auth/v1 and /rest/v1:
// sign up -> edit profile -> post -> follow -> feed -> like -> comment -> reply ->
// notifications -> search -> delete account. Each step asserts what the database made of it.
type Client = SupabaseClient<Database>;

const client = (): Client =>
  createClient<Database>(stack().apiUrl, stack().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never }, // Node 20 has no WebSocket of its own
  });

async function signUp(name: string): Promise<{ sb: Client; id: string; username: string; email: string }> {
  const sb = client();
  const username = `${name}_${randomUUID().slice(0, 8)}`;
  const email = `${username}@flow.test`;
  const { data, error } = await sb.auth.signUp({ email, password: 'correct-horse-battery', options: { data: { username } } });
  expect(error).toBeNull();
  expect(data.session, 'signed in right away (email confirmations are off locally)').not.toBeNull();
  return { sb, id: data.user!.id, username, email };
}

describe('the social flow through supabase-js', () => {
  it('sign up, profile, post, follow, feed, like, comment, reply, notifications, search, delete account', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');

    // Sign-up made the profiles.
    const { data: profile } = await alice.sb.from('profiles').select('*').eq('id', alice.id).single();
    expect(profile).toMatchObject({ username: alice.username, followers_count: 0, posts_count: 0 });

    // Edit profile; bad input is refused with the constraint's error and writes nothing.
    const edited = await alice.sb.from('profiles').update({ display_name: 'Alice Flow', bio: 'Testing Agora', website: 'https://alice.example' })
      .eq('id', alice.id).select().single();
    expect(edited.error).toBeNull();
    expect(edited.data).toMatchObject({ display_name: 'Alice Flow', website: 'https://alice.example' });
    const badSite = await alice.sb.from('profiles').update({ website: 'javascript:alert(1)' }).eq('id', alice.id);
    expect(badSite.error?.code).toBe('23514');
    const counter = await alice.sb.from('profiles').update({ followers_count: 1000 } as never).eq('id', alice.id);
    expect(counter.error?.code, 'counters are not writable').toBe('42501');
    const others = await alice.sb.from('profiles').update({ bio: 'hacked' }).eq('id', bob.id).select();
    expect(others.data, 'another user\'s profile is untouched').toEqual([]);

    // Post (bob mentions alice and tags it).
    const word = `flowword${randomUUID().slice(0, 6)}`;
    const tag = `flowtag${randomUUID().slice(0, 6)}`;
    const posted = await bob.sb.from('posts').insert({ content: `Hello @${alice.username}, ${word} #${tag}` }).select().single();
    expect(posted.error).toBeNull();
    const postId = posted.data!.id;
    const tooLong = await bob.sb.from('posts').insert({ content: 'x'.repeat(2001) });
    expect(tooLong.error?.code).toBe('23514');
    const asAlice = await bob.sb.from('posts').insert({ content: 'impostor', author_id: alice.id });
    expect(asAlice.error?.code).toBe('42501');

    // Follow (self-follow refused).
    expect((await alice.sb.from('follows').insert({ followee_id: bob.id })).error).toBeNull();
    expect((await alice.sb.from('follows').insert({ followee_id: alice.id })).error?.code).toBe('23514');

    // Feed with the author embedded and liked_by_me.
    const feed = await alice.sb.rpc('feed').select('*, author:profiles(*), liked_by_me');
    expect(feed.error).toBeNull();
    expect(feed.data![0]).toMatchObject({ id: postId, liked_by_me: false, author: { username: bob.username } });

    // Like: the counter and liked_by_me follow.
    expect((await alice.sb.from('likes').insert({ post_id: postId })).error).toBeNull();
    const liked = await alice.sb.rpc('feed').select('id, like_count, liked_by_me').eq('id', postId).single();
    expect(liked.data).toMatchObject({ like_count: 1, liked_by_me: true });
    const paged = await alice.sb.rpc('feed', { page_size: null as unknown as number }, { count: 'exact' }).select('id').range(0, 0);
    expect(paged.count, 'offset pagination counts the whole feed').toBe(1);

    // Comment and reply; a reply on another post than its parent's is refused.
    const comment = await alice.sb.from('comments').insert({ post_id: postId, content: 'Nice one!' }).select().single();
    expect(comment.error).toBeNull();
    const reply = await bob.sb.from('comments').insert({ post_id: postId, parent_id: comment.data!.id, content: 'Thanks!' }).select().single();
    expect(reply.error).toBeNull();
    const otherPost = await bob.sb.from('posts').insert({ content: 'another post' }).select().single();
    const stray = await bob.sb.from('comments').insert({ post_id: otherPost.data!.id, parent_id: comment.data!.id, content: 'wrong post' });
    expect(stray.error?.code).toBe('23503');
    const counts = await bob.sb.from('posts').select('like_count, comment_count').eq('id', postId).single();
    expect(counts.data).toEqual({ like_count: 1, comment_count: 2 });

    // Notifications: each recipient sees their own, and marks them read.
    const bobs = await bob.sb.from('notifications').select('type, actor_id').order('id');
    expect(bobs.data).toEqual([
      { type: 'follow', actor_id: alice.id },
      { type: 'like', actor_id: alice.id },
      { type: 'comment', actor_id: alice.id },
    ]);
    const alices = await alice.sb.from('notifications').select('type').order('id');
    expect(alices.data?.map((n) => n.type)).toEqual(['mention', 'reply']);
    const marked = await alice.sb.rpc('mark_notifications_read');
    expect(marked.data).toBe(2);
    const anon = await client().from('notifications').select('*');
    expect(anon.error?.code, 'anon cannot read notifications').toBe('42501');

    // Search and hashtags, as anon.
    const anonClient = client();
    const posts = await anonClient.rpc('search_posts', { query: word }).select('id');
    expect(posts.data).toEqual([{ id: postId }]);
    const people = await anonClient.rpc('search_profiles', { query: alice.username }).select('username').limit(1);
    expect(people.data).toEqual([{ username: alice.username }]);
    const tagged = await anonClient.rpc('posts_by_hashtag', { tag: `#${tag.toUpperCase()}` }).select('id');
    expect(tagged.data).toEqual([{ id: postId }]);

    // Delete account: everything of alice's goes, bob's counters follow, she cannot sign in again.
    expect((await alice.sb.rpc('delete_account')).error).toBeNull();
    const after = await bob.sb.from('profiles').select('followers_count').eq('id', bob.id).single();
    expect(after.data?.followers_count).toBe(0);
    const gone = await bob.sb.from('profiles').select('id').eq('id', alice.id);
    expect(gone.data).toEqual([]);
    const post = await bob.sb.from('posts').select('like_count, comment_count').eq('id', postId).single();
    expect(post.data, 'her like and comment (and bob\'s reply to it, now top-level) are counted right').toEqual({ like_count: 0, comment_count: 1 });
    const signIn = await client().auth.signInWithPassword({ email: alice.email, password: 'correct-horse-battery' });
    expect(signIn.error).not.toBeNull();
  });
});
