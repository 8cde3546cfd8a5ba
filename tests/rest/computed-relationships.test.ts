import { beforeAll, describe, expect, test } from 'vitest';
import { adminDb, client, loadFixture, rest } from './support.js';

// PostgREST computed relationships: docs/references/api/resource_embedding.rst, "Computed
// Relationships" — a function taking a row of one relation and returning rows of another.
beforeAll(loadFixture);
const admin = adminDb();
const db = () => client();

describe('computed relationships', () => {
  test('a setof function is a one-to-many embed named by the function', async () => {
    const { data, error } = await db().from('posts').select('title, top_replies(body)').order('id').order('score', { referencedTable: 'top_replies', ascending: false });
    expect(error).toBeNull();
    expect(data).toEqual([{ title: 'Hello', top_replies: [{ body: 'second' }, { body: 'first' }] }, { title: 'Quiet', top_replies: [] }]);
  });

  test('a setof function with rows 1 is a many-to-one embed: an object, or null', async () => {
    const r = await rest('/posts?select=title,best_reply(body,score)&order=id');
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ title: 'Hello', best_reply: { body: 'second', score: 9 } }, { title: 'Quiet', best_reply: null }]);
  });

  test('a function returning one row (no setof) is a many-to-one embed', async () => {
    const r = await rest('/replies?select=id,thread_post(title)&id=eq.5');
    expect(r.json).toEqual([{ id: 5, thread_post: { title: 'Hello' } }]);
  });

  test('a function of a view\'s row type embeds on the view', async () => {
    const r = await rest('/post_titles?select=title,title_replies(id)&id=eq.1&title_replies.order=id');
    expect(r.json).toEqual([{ title: 'Hello', title_replies: [1, 2, 3, 4, 5].map((id) => ({ id })) }]);
    expect((await rest('/post_titles?select=title,title_replies(count)&id=eq.2')).json).toEqual([{ title: 'Quiet', title_replies: [{ count: 0 }] }]);
  });

  test('a function named like a related relation overrides the detected relationship', async () => {
    // reply_view inherits replies' foreign key to posts; the function posts(reply_view) replaces it
    const overridden = await rest('/reply_view?select=id,posts(title)&order=id');
    expect(overridden.json).toEqual([
      { id: 1, posts: { title: 'Hello' } }, { id: 2, posts: null }, { id: 3, posts: null }, { id: 4, posts: { title: 'Hello' } }, { id: 5, posts: null },
    ]);
    // the table keeps its foreign key relationship
    const detected = await rest('/replies?select=id,posts(title)&id=eq.2');
    expect(detected.json).toEqual([{ id: 2, posts: { title: 'Hello' } }]);
  });

  test('filters, !inner, spreads and embedded=is.null work on computed embeds as on foreign key ones', async () => {
    const inner = await rest('/posts?select=title,top_replies!inner(body)&top_replies.score=gt.6');
    expect(inner.json).toEqual([{ title: 'Hello', top_replies: [{ body: 'second' }] }]);
    const spread = await rest('/posts?select=title,...best_reply(best:body)&order=id');
    expect(spread.json).toEqual([{ title: 'Hello', best: 'second' }, { title: 'Quiet', best: null }]);
    const none = await rest('/posts?select=title,top_replies()&top_replies=is.null');
    expect(none.json).toEqual([{ title: 'Quiet' }]);
  });

  test('an unknown name next to a computed relationship is PGRST200', async () => {
    const r = await rest('/posts?select=title,top_replie(body)');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PGRST200');
    expect(r.json.message).toBe("Could not find a relationship between 'posts' and 'top_replie' in the schema cache");
  });

  test('the schema cache learns a new computed relationship on reload', async () => {
    await admin().query(`create or replace function rest_test.late_replies(rest_test.posts) returns setof rest_test.replies
      language sql stable as $$ select * from rest_test.replies r where r.post_id = $1.id and r.score < 2 $$`);
    await admin().query('grant execute on function rest_test.late_replies(rest_test.posts) to anon');
    try {
      await admin().query(`notify pgrst, 'reload schema'`);
      let r = await rest('/posts?select=late_replies(id)&id=eq.1&late_replies.order=id');
      for (let i = 0; i < 100 && r.status !== 200; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await rest('/posts?select=late_replies(id)&id=eq.1&late_replies.order=id');
      }
      expect(r.json).toEqual([{ late_replies: [{ id: 3 }, { id: 5 }] }]);
    } finally {
      await admin().query('drop function rest_test.late_replies(rest_test.posts)');
      await admin().query(`notify pgrst, 'reload schema'`);
    }
  });
});
