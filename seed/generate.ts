import type { SeedOptions } from './options.js';
import { Random } from './random.js';
import { TAGS, TextPool } from './text.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface Users {
  count: number;
  id: string[];
  email: string[];
  username: string[];
  displayName: string[];
  bio: (string | null)[];
  location: (string | null)[];
  website: (string | null)[];
  createdAt: Float64Array;
  postsCount: Int32Array;
  followersCount: Int32Array;
  followingCount: Int32Array;
}

export interface Posts {
  count: number;
  author: Int32Array;
  createdAt: Float64Array;
  likeCount: Int32Array;
  commentCount: Int32Array;
  /** Post i's text, tags and mention, the same on every call (its own random stream). */
  text: (i: number) => { content: string; tags: string[]; mention: number };
}

export interface Pairs {
  count: number;
  a: Int32Array;
  b: Int32Array;
  createdAt: Float64Array;
}

export interface Comments {
  count: number;
  post: Int32Array;
  author: Int32Array;
  /** Index of the parent comment, or -1. */
  parent: Int32Array;
  createdAt: Float64Array;
  content: string[];
}

/** A whole network, by index (user i, post i, comment i); ids are assigned when loading. */
export interface Network {
  options: SeedOptions;
  users: Users;
  posts: Posts;
  /** a follows b. */
  follows: Pairs;
  /** user a likes post b. */
  likes: Pairs;
  comments: Comments;
  /** user a blocks user b (never two who follow each other, either way). */
  blocks: Pairs;
}

function username(raw: string, taken: Set<string>): string {
  let base = raw.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24);
  if (base.length < 3) base = `user_${base}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 24)}${n}`;
  taken.add(name);
  return name;
}

function generateUsers(o: SeedOptions, pool: TextPool): Users {
  const f = pool.faker;
  const rng = new Random(o.seed, 'users');
  const n = o.users;
  const taken = new Set<string>(['demo']);
  const u: Users = {
    count: n,
    id: [], email: [], username: [], displayName: [], bio: [], location: [], website: [],
    createdAt: new Float64Array(n),
    postsCount: new Int32Array(n), followersCount: new Int32Array(n), followingCount: new Int32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const first = f.person.firstName();
    const last = f.person.lastName();
    const name = i === 0 ? 'demo' : username(f.internet.username({ firstName: first, lastName: last }), taken);
    u.id.push(f.string.uuid());
    u.username.push(name);
    u.email.push(i === 0 ? o.demoEmail : `${name}@example.com`);
    u.displayName.push(i === 0 ? 'Demo User' : `${first} ${last}`.slice(0, 50));
    u.bio.push(rng.chance(0.7) ? pool.paragraph(rng, 160) : null);
    u.location.push(rng.chance(0.5) ? `${f.location.city()}, ${f.location.country()}`.slice(0, 100) : null);
    u.website.push(rng.chance(0.2) ? `https://${f.internet.domainName()}` : null);
    // Everyone joined before the first post.
    u.createdAt[i] = o.anchor.getTime() - 91 * DAY - rng.float() * 365 * DAY;
  }
  return u;
}

/** Each user follows followsPerUser others, popular (low-index) users more often. */
function generateFollows(o: SeedOptions, users: Users): Pairs {
  const rng = new Random(o.seed, 'follows');
  const n = users.count;
  const per = Math.min(o.followsPerUser, n - 1);
  const a = new Int32Array(n * per);
  const b = new Int32Array(n * per);
  const at = new Float64Array(n * per);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < per && tries < per * 20; tries++) {
      const j = tries < per * 10 ? rng.skewed(n, 2) : rng.int(n);
      if (j !== i) chosen.add(j);
    }
    for (let j = 0; chosen.size < per && j < n; j++) if (j !== i) chosen.add(j);
    for (const j of chosen) {
      a[k] = i;
      b[k] = j;
      const since = Math.max(users.createdAt[i], users.createdAt[j]);
      at[k] = since + rng.float() * (o.anchor.getTime() - since);
      users.followingCount[i]++;
      users.followersCount[j]++;
      k++;
    }
  }
  return { count: k, a: a.subarray(0, k), b: b.subarray(0, k), createdAt: at.subarray(0, k) };
}

/** options.blocks distinct pairs of users with no follow between them, either way. */
function generateBlocks(o: SeedOptions, users: Users, follows: Pairs): Pairs {
  const rng = new Random(o.seed, 'blocks');
  const n = users.count;
  const key = (a: number, b: number) => a * n + b;
  const followed = new Set<number>();
  for (let i = 0; i < follows.count; i++) followed.add(key(follows.a[i], follows.b[i]));
  const chosen = new Set<number>();
  const max = Math.min(o.blocks, n * (n - 1));
  const a = new Int32Array(max);
  const b = new Int32Array(max);
  const at = new Float64Array(max);
  let k = 0;
  for (let tries = 0; k < max && tries < max * 20; tries++) {
    const i = rng.int(n);
    const j = rng.int(n);
    if (i === j || chosen.has(key(i, j)) || chosen.has(key(j, i)) || followed.has(key(i, j)) || followed.has(key(j, i))) continue;
    chosen.add(key(i, j));
    a[k] = i;
    b[k] = j;
    const since = Math.max(users.createdAt[i], users.createdAt[j]);
    at[k] = since + rng.float() * (o.anchor.getTime() - since);
    k++;
  }
  return { count: k, a: a.subarray(0, k), b: b.subarray(0, k), createdAt: at.subarray(0, k) };
}

/** Posts over the last 90 days, denser towards now, ids in time order; prolific users post more. */
function generatePosts(o: SeedOptions, users: Users, pool: TextPool): Posts {
  const rng = new Random(o.seed, 'posts');
  const p = o.posts;
  const times = new Float64Array(p);
  for (let i = 0; i < p; i++) times[i] = o.anchor.getTime() - rng.float() ** 2 * 90 * DAY;
  times.sort();
  const author = new Int32Array(p);
  for (let i = 0; i < p; i++) {
    author[i] = rng.skewed(users.count, 1.5);
    users.postsCount[author[i]]++;
  }
  const text = (i: number) => {
    const r = new Random(o.seed + i, 'post-text');
    let content = pool.paragraph(r, 1900);
    const tags: string[] = [];
    if (r.chance(0.35)) {
      const count = 1 + r.int(2);
      for (let t = 0; t < count; t++) {
        const tag = r.pick(TAGS);
        if (!tags.includes(tag)) tags.push(tag);
      }
      content += ` ${tags.map((t) => `#${t}`).join(' ')}`;
    }
    let mention = -1;
    if (users.count > 1 && r.chance(0.05)) {
      mention = r.int(users.count);
      if (mention === author[i]) mention = -1;
      else content = `@${users.username[mention]} ${content}`;
    }
    return { content, tags, mention };
  };
  return { count: p, author, createdAt: times, likeCount: new Int32Array(p), commentCount: new Int32Array(p), text };
}

/** Distinct (user, post) likes, recent posts liked more, each after its post. */
function generateLikes(o: SeedOptions, users: Users, posts: Posts): Pairs {
  const rng = new Random(o.seed, 'likes');
  const want = Math.min(o.likes, users.count * posts.count);
  const a = new Int32Array(want);
  const b = new Int32Array(want);
  const at = new Float64Array(want);
  const seen = new Set<number>();
  let k = 0;
  for (let tries = 0; k < want && tries < want * 4 + 100; tries++) {
    const user = rng.int(users.count);
    const post = posts.count - 1 - rng.skewed(posts.count, 2);
    const key = user * posts.count + post;
    if (seen.has(key)) continue;
    seen.add(key);
    a[k] = user;
    b[k] = post;
    const from = posts.createdAt[post];
    at[k] = from + rng.float() * Math.min(2 * DAY, o.anchor.getTime() - from);
    posts.likeCount[post]++;
    k++;
  }
  return { count: k, a: a.subarray(0, k), b: b.subarray(0, k), createdAt: at.subarray(0, k) };
}

/** Comments on recent posts; about a third reply to an earlier comment on the same post. */
function generateComments(o: SeedOptions, users: Users, posts: Posts, pool: TextPool): Comments {
  const rng = new Random(o.seed, 'comments');
  const c = posts.count ? o.comments : 0;
  const out: Comments = {
    count: c, post: new Int32Array(c), author: new Int32Array(c), parent: new Int32Array(c),
    createdAt: new Float64Array(c), content: new Array<string>(c),
  };
  const byPost = new Map<number, number[]>();
  for (let i = 0; i < c; i++) {
    const post = posts.count - 1 - rng.skewed(posts.count, 2);
    const earlier = byPost.get(post);
    const parent = earlier && rng.chance(0.35) ? rng.pick(earlier) : -1;
    const after = parent >= 0 ? out.createdAt[parent] : posts.createdAt[post];
    out.post[i] = post;
    out.author[i] = rng.int(users.count);
    out.parent[i] = parent;
    out.createdAt[i] = after + rng.float() * Math.min(DAY, o.anchor.getTime() - after);
    out.content[i] = pool.paragraph(rng, 900);
    posts.commentCount[post]++;
    if (earlier) earlier.push(i);
    else byPost.set(post, [i]);
  }
  return out;
}

/** The whole network, deterministic from options.seed and options.anchor. */
export function generateNetwork(options: SeedOptions): Network {
  const pool = new TextPool(options.seed);
  const users = generateUsers(options, pool);
  const follows = generateFollows(options, users);
  const posts = generatePosts(options, users, pool);
  const likes = generateLikes(options, users, posts);
  const comments = generateComments(options, users, posts, pool);
  const blocks = generateBlocks(options, users, follows);
  return { options, users, posts, follows, likes, comments, blocks };
}
