import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';

// Many clients liking/unliking and following/unfollowing the same few rows at once, each on its
// own connection as an authenticated user (the way PostgREST runs their requests). Afterwards
// every counter must equal a count of the rows.
const USERS = 16;
const POSTS = 4;
const OPS_PER_USER = 80;

describe('counters under concurrency', () => {
  const admin = new pg.Pool({ connectionString: stack().dbUrl, max: 2 });
  const tag = randomUUID().slice(0, 8);
  const ids: string[] = [];
  const posts: number[] = [];

  beforeAll(async () => {
    for (let i = 0; i < USERS; i++) {
      const id = randomUUID();
      ids.push(id);
      await admin.query(
        `insert into auth.users (id, instance_id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
         values ($1, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $2, '{}', $3, now(), now())`,
        [id, `c${tag}${i}@test.local`, { username: `c${tag}_${i}` }],
      );
    }
    for (let i = 0; i < POSTS; i++) {
      const { rows } = await admin.query('insert into public.posts (author_id, content) values ($1, $2) returning id', [ids[i], `hot post ${i}`]);
      posts.push(Number(rows[0].id));
    }
  });

  afterAll(async () => {
    await admin.query('delete from auth.users where id = any ($1)', [ids]);
    await admin.end();
  });

  it('likes, unlikes, follows and unfollows from many connections leave every counter exact', async () => {
    const errors: string[] = [];
    const { dbPort } = stack();
    const client = async (me: number) => {
      const c = new pg.Client({ connectionString: `postgresql://authenticator:postgres@127.0.0.1:${dbPort}/postgres` });
      await c.connect();
      await c.query('set role authenticated');
      await c.query("select set_config('request.jwt.claims', $1, false)", [JSON.stringify({ sub: ids[me], role: 'authenticated' })]);
      let seed = me * 7919 + 1;
      const next = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
      try {
        for (let k = 0; k < OPS_PER_USER; k++) {
          const post = posts[next(POSTS)];
          const other = ids[next(USERS)];
          try {
            switch (next(4)) {
              case 0: await c.query('insert into public.likes (post_id) values ($1)', [post]); break;
              case 1: await c.query('delete from public.likes where user_id = $1 and post_id = $2', [ids[me], post]); break;
              case 2: if (other !== ids[me]) await c.query('insert into public.follows (followee_id) values ($1)', [other]); break;
              default: await c.query('delete from public.follows where follower_id = $1 and followee_id = $2', [ids[me], other]);
            }
          } catch (err) {
            // Liking or following twice is refused by the primary key; anything else is a failure.
            if ((err as { code?: string }).code !== '23505') errors.push(`${(err as { code?: string }).code}: ${(err as Error).message}`);
          }
        }
      } finally {
        await c.end();
      }
    };
    await Promise.all(Array.from({ length: USERS }, (_, i) => client(i)));
    expect(errors, 'no deadlocks or other errors').toEqual([]);

    const { rows: wrongPosts } = await admin.query(
      `select p.id, p.like_count, (select count(*) from public.likes l where l.post_id = p.id)::int as likes
         from public.posts p where p.id = any ($1) and p.like_count <> (select count(*) from public.likes l where l.post_id = p.id)`,
      [posts],
    );
    expect(wrongPosts, 'like_count equals the likes of each post').toEqual([]);
    const { rows: wrongProfiles } = await admin.query(
      `select p.username, p.followers_count, p.following_count
         from public.profiles p
        where p.id = any ($1)
          and (p.followers_count <> (select count(*) from public.follows f where f.followee_id = p.id)
            or p.following_count <> (select count(*) from public.follows f where f.follower_id = p.id))`,
      [ids],
    );
    expect(wrongProfiles, 'followers_count and following_count equal the follows of each profile').toEqual([]);
    const { rows: activity } = await admin.query(
      'select (select count(*) from public.likes where post_id = any ($1))::int as likes, (select count(*) from public.follows where follower_id = any ($2))::int as follows',
      [posts, ids],
    );
    expect(activity[0].likes + activity[0].follows, 'the run left some likes and follows to count').toBeGreaterThan(0);
  });
});
