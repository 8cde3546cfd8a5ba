import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrl, loadConfig } from '../../stack/config/load.js';
import { bootstrapDatabase } from '../../stack/db/bootstrap.js';
import { generateNetwork, type Network } from '../../seed/generate.js';
import { loadNetwork, SeedError } from '../../seed/load.js';
import { defaultOptions, parseSeedArgs, UsageError } from '../../seed/options.js';
import { scratchDatabase, stack } from '../support/env.js';

const anchor = new Date('2026-01-01T00:00:00Z');
const small = (seed: number) => defaultOptions({ seed, users: 40, posts: 300, followsPerUser: 8, likes: 600, comments: 150, anchor });

/** A fingerprint of everything generated, post texts included. */
function fingerprint(net: Network): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([net.users.id, net.users.username, net.users.bio, [...net.users.createdAt]]));
  h.update(JSON.stringify([[...net.posts.author], [...net.posts.createdAt], [...net.follows.a], [...net.follows.b], [...net.likes.a], [...net.likes.b]]));
  h.update(JSON.stringify([[...net.comments.parent], net.comments.content]));
  for (let i = 0; i < net.posts.count; i++) h.update(net.posts.text(i).content);
  return h.digest('hex');
}

describe('the seed generator', () => {
  it('is deterministic: the same seed and anchor give the same network, another seed another', () => {
    expect(fingerprint(generateNetwork(small(7)))).toBe(fingerprint(generateNetwork(small(7))));
    expect(fingerprint(generateNetwork(small(8)))).not.toBe(fingerprint(generateNetwork(small(7))));
  });

  it('reads its sizes from flags and refuses bad ones', () => {
    const { options, dbUrl: url } = parseSeedArgs(['--seed', '3', '--users', '10', '--posts', '20', '--follows-per-user', '2', '--db-url', 'postgresql://x/y']);
    expect(options).toMatchObject({ seed: 3, users: 10, posts: 20, followsPerUser: 2 });
    expect(url).toBe('postgresql://x/y');
    expect(() => parseSeedArgs(['--users', '-1'])).toThrow(UsageError);
    expect(() => parseSeedArgs(['--posts', 'many'])).toThrow(UsageError);
    expect(() => parseSeedArgs(['--bogus'])).toThrow(UsageError);
  });
});

describe('the seed loader', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let client: pg.Client;
  const config = loadConfig({ dbPort: stack().dbPort, dataDir: stack().dataDir });

  beforeAll(async () => {
    db = await scratchDatabase('seed');
    await bootstrapDatabase(config, { database: db.name, seed: false });
    client = new pg.Client({ connectionString: dbUrl(config, db.name) });
    await client.connect();
    await loadNetwork(client, generateNetwork(small(1)));
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('writes exactly what the triggers would have: counters, hashtags and notifications agree with the rows', async () => {
    const { rows } = await client.query(`
      select
        (select count(*) from public.profiles p
          where posts_count <> (select count(*) from public.posts where author_id = p.id)
             or followers_count <> (select count(*) from public.follows where followee_id = p.id)
             or following_count <> (select count(*) from public.follows where follower_id = p.id))::int as wrong_profiles,
        (select count(*) from public.posts p
          where like_count <> (select count(*) from public.likes where post_id = p.id)
             or comment_count <> (select count(*) from public.comments where post_id = p.id))::int as wrong_posts,
        (select count(*) from public.posts p
          where private.extract_hashtags(p.content) <> coalesce((select array_agg(h.tag::text order by h.tag::text)
                  from public.post_hashtags x join public.hashtags h on h.id = x.hashtag_id where x.post_id = p.id), '{}'))::int as wrong_tags,
        (select count(*) from public.follows f
          where not exists (select 1 from public.notifications n where n.type = 'follow' and n.recipient_id = f.followee_id and n.actor_id = f.follower_id))::int as unnotified_follows,
        (select count(*) from public.notifications where recipient_id = actor_id)::int as self_notifications,
        (select count(*) from public.post_hashtags)::int as tagged,
        (select count(*) from auth.users)::int as users`);
    expect(rows[0]).toMatchObject({ wrong_profiles: 0, wrong_posts: 0, wrong_tags: 0, unnotified_follows: 0, self_notifications: 0, users: 40 });
    expect(rows[0].tagged).toBeGreaterThan(0);
  });

  it('leaves the identity sequences past the loaded ids, so new rows insert cleanly', async () => {
    const { rows } = await client.query(
      `insert into public.posts (author_id, content) select id, 'after the seed' from public.profiles limit 1 returning id`);
    expect(Number(rows[0].id)).toBe(301);
  });

  it('refuses a database whose app tables already hold rows', async () => {
    await expect(loadNetwork(client, generateNetwork(small(2)))).rejects.toThrow(SeedError);
  });
});
