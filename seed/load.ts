import type pg from 'pg';
import { copyRows, type Cell } from './copy.js';
import type { Network } from './generate.js';

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

/** Tables the seed writes, all empty before it runs. */
export const SEEDED_TABLES = [
  'public.profiles', 'public.posts', 'public.follows', 'public.likes', 'public.comments',
  'public.notifications', 'public.hashtags', 'public.post_hashtags', 'public.blocks',
] as const;

export class SeedError extends Error {}

export interface LoadSummary {
  users: number;
  posts: number;
  follows: number;
  likes: number;
  comments: number;
  blocks: number;
  hashtags: number;
  notifications: number;
  ms: number;
}

export interface LoadOptions {
  /** Called with the number of rows just written (for a progress bar). */
  tick?: (rows: number) => void;
  /** Drop the secondary indexes during the load and build them after (big loads). */
  deferIndexes?: boolean;
}

/** How many rows a load reports through `tick` (the progress bar's total). */
export function rowTotal(net: Network): number {
  return net.users.count * 3 + net.posts.count + net.follows.count + net.likes.count + net.comments.count;
}

async function secondaryIndexes(client: pg.ClientBase): Promise<Array<{ name: string; def: string }>> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name, pg_get_indexdef(i.indexrelid) as def
       from pg_index i
       join pg_class c on c.oid = i.indexrelid
       join pg_namespace n on n.oid = c.relnamespace
      where i.indrelid = any ($1::regclass[])
        and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
    [SEEDED_TABLES],
  );
  return rows;
}

/**
 * Writes a generated network in one transaction with COPY. Triggers are off while it loads
 * (session_replication_role = replica): what they would have written — profiles, counters,
 * hashtags, notifications — is computed by the generator and copied too. Needs a role that may
 * set session_replication_role (postgres may, on Supabase and here) and empty app tables.
 */
export async function loadNetwork(client: pg.ClientBase, net: Network, options: LoadOptions = {}): Promise<LoadSummary> {
  const started = Date.now();
  const { users, posts, follows, likes, comments, blocks } = net;
  const o = net.options;
  const tick = options.tick;
  await client.query('begin');
  try {
    for (const table of SEEDED_TABLES) {
      const { rowCount } = await client.query(`select 1 from ${table} limit 1`);
      if (rowCount) throw new SeedError(`${table} already has rows: the seed loads into an empty database (try npm run db:reset)`);
    }
    await client.query("set local session_replication_role = 'replica'");
    await client.query("set local maintenance_work_mem = '256MB'");
    const dropped = options.deferIndexes ? await secondaryIndexes(client) : [];
    for (const index of dropped) await client.query(`drop index ${index.name}`);

    const hash = (await client.query<{ h: string }>("select extensions.crypt($1, extensions.gen_salt('bf', 10)) as h", [o.password])).rows[0].h;
    const base = async (table: string) =>
      Number((await client.query<{ m: string }>(`select coalesce(max(id), 0) as m from ${table}`)).rows[0].m);
    const firstPost = (await base('public.posts')) + 1;
    const firstComment = (await base('public.comments')) + 1;
    const firstTag = (await base('public.hashtags')) + 1;

    const range = function* <T>(n: number, row: (i: number) => T): Generator<T> {
      for (let i = 0; i < n; i++) yield row(i);
    };

    await copyRows(client, 'auth.users',
      ['id', 'instance_id', 'aud', 'role', 'email', 'encrypted_password', 'email_confirmed_at', 'confirmation_token',
        'recovery_token', 'email_change_token_new', 'email_change', 'raw_app_meta_data', 'raw_user_meta_data',
        'created_at', 'updated_at', 'is_sso_user', 'is_anonymous'],
      range(users.count, (i): Cell[] => [
        users.id[i], '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', users.email[i], hash,
        iso(users.createdAt[i]), '', '', '', '',
        JSON.stringify({ provider: 'email', providers: ['email'] }),
        JSON.stringify({ username: users.username[i], display_name: users.displayName[i], email_verified: true }),
        iso(users.createdAt[i]), iso(users.createdAt[i]), false, false,
      ]), tick);
    await copyRows(client, 'auth.identities',
      ['id', 'provider_id', 'user_id', 'identity_data', 'provider', 'created_at', 'updated_at'],
      range(users.count, (i): Cell[] => [
        users.id[i], users.id[i], users.id[i],
        JSON.stringify({ sub: users.id[i], email: users.email[i], email_verified: true, phone_verified: false }),
        'email', iso(users.createdAt[i]), iso(users.createdAt[i]),
      ]), tick);
    await copyRows(client, 'public.profiles',
      ['id', 'username', 'display_name', 'bio', 'location', 'website', 'followers_count', 'following_count', 'posts_count', 'created_at', 'updated_at'],
      range(users.count, (i): Cell[] => [
        users.id[i], users.username[i], users.displayName[i], users.bio[i], users.location[i], users.website[i],
        users.followersCount[i], users.followingCount[i], users.postsCount[i], iso(users.createdAt[i]), iso(users.createdAt[i]),
      ]), tick);

    // Posts, remembering their #tags and @mentions for the rows the triggers would write.
    const tagIds = new Map<string, number>();
    const postTags: number[] = []; // flat pairs: post index, tag id
    const mentions: number[] = []; // flat pairs: post index, mentioned user
    await copyRows(client, 'public.posts',
      ['id', 'author_id', 'content', 'like_count', 'comment_count', 'created_at', 'updated_at'],
      range(posts.count, (i): Cell[] => {
        const { content, tags, mention } = posts.text(i);
        for (const tag of tags) {
          let id = tagIds.get(tag);
          if (id === undefined) tagIds.set(tag, (id = firstTag + tagIds.size));
          postTags.push(i, id);
        }
        if (mention >= 0) mentions.push(i, mention);
        const at = iso(posts.createdAt[i]);
        return [firstPost + i, users.id[posts.author[i]], content, posts.likeCount[i], posts.commentCount[i], at, at];
      }), tick);
    await copyRows(client, 'public.hashtags', ['id', 'tag', 'created_at'],
      [...tagIds].map(([tag, id]): Cell[] => [id, tag, iso(o.anchor.getTime() - 91 * DAY)]));
    await copyRows(client, 'public.post_hashtags', ['post_id', 'hashtag_id', 'post_created_at'],
      range(postTags.length / 2, (k): Cell[] => [firstPost + postTags[2 * k], postTags[2 * k + 1], iso(posts.createdAt[postTags[2 * k]])]));

    await copyRows(client, 'public.follows', ['follower_id', 'followee_id', 'created_at'],
      range(follows.count, (i): Cell[] => [users.id[follows.a[i]], users.id[follows.b[i]], iso(follows.createdAt[i])]), tick);
    await copyRows(client, 'public.likes', ['user_id', 'post_id', 'created_at'],
      range(likes.count, (i): Cell[] => [users.id[likes.a[i]], firstPost + likes.b[i], iso(likes.createdAt[i])]), tick);
    await copyRows(client, 'public.comments', ['id', 'post_id', 'author_id', 'parent_id', 'content', 'created_at', 'updated_at'],
      range(comments.count, (i): Cell[] => {
        const at = iso(comments.createdAt[i]);
        const parent = comments.parent[i];
        return [firstComment + i, firstPost + comments.post[i], users.id[comments.author[i]], parent >= 0 ? firstComment + parent : null,
          comments.content[i], at, at];
      }), tick);

    await copyRows(client, 'public.blocks', ['blocker_id', 'blocked_id', 'created_at'],
      range(blocks.count, (i): Cell[] => [users.id[blocks.a[i]], users.id[blocks.b[i]], iso(blocks.createdAt[i])]));

    // Notifications, by the triggers' rules: never for oneself, a reply notifies the parent's
    // author and the post's author (once), older ones mostly read.
    const readBefore = o.anchor.getTime() - 2 * DAY;
    const note = (recipient: number, actor: number, type: string, post: number | null, comment: number | null, at: number, k: number): Cell[] =>
      [users.id[recipient], users.id[actor], type, post === null ? null : firstPost + post, comment === null ? null : firstComment + comment,
        at < readBefore && k % 10 < 7 ? iso(at + 3_600_000) : null, iso(at)];
    const notifications = function* (): Generator<Cell[]> {
      for (let i = 0; i < follows.count; i++) yield note(follows.b[i], follows.a[i], 'follow', null, null, follows.createdAt[i], i);
      if (o.likeNotifications) {
        for (let i = 0; i < likes.count; i++) {
          const author = posts.author[likes.b[i]];
          if (author !== likes.a[i]) yield note(author, likes.a[i], 'like', likes.b[i], null, likes.createdAt[i], i);
        }
      }
      for (let i = 0; i < comments.count; i++) {
        const actor = comments.author[i];
        const postAuthor = posts.author[comments.post[i]];
        const parentAuthor = comments.parent[i] >= 0 ? comments.author[comments.parent[i]] : -1;
        if (parentAuthor >= 0 && parentAuthor !== actor) yield note(parentAuthor, actor, 'reply', comments.post[i], i, comments.createdAt[i], i);
        if (postAuthor !== actor && postAuthor !== parentAuthor) yield note(postAuthor, actor, 'comment', comments.post[i], i, comments.createdAt[i], i);
      }
      for (let k = 0; k < mentions.length; k += 2) {
        const post = mentions[k];
        yield note(mentions[k + 1], posts.author[post], 'mention', post, null, posts.createdAt[post], k);
      }
    };
    const notificationCount = await copyRows(client, 'public.notifications',
      ['recipient_id', 'actor_id', 'type', 'post_id', 'comment_id', 'read_at', 'created_at'], notifications());

    for (const table of ['public.posts', 'public.comments', 'public.hashtags']) {
      await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), greatest((select max(id) from ${table}), 1))`);
    }
    for (const index of dropped) await client.query(index.def);
    await client.query('commit');
    return {
      users: users.count, posts: posts.count, follows: follows.count, likes: likes.count, comments: comments.count, blocks: blocks.count,
      hashtags: tagIds.size, notifications: notificationCount, ms: Date.now() - started,
    };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

/** Fresh statistics (and, after a big load, a visibility map for index-only scans). */
export async function analyzeSeeded(client: pg.ClientBase, vacuum: boolean): Promise<void> {
  for (const table of ['auth.users', ...SEEDED_TABLES]) {
    await client.query(`${vacuum ? 'vacuum (analyze)' : 'analyze'} ${table}`);
  }
}
