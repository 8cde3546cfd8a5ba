import { parseArgs } from 'node:util';

/** The size and shape of a generated network. */
export interface SeedOptions {
  seed: number;
  users: number;
  posts: number;
  followsPerUser: number;
  likes: number;
  comments: number;
  /** Blocks between users who do not follow each other. */
  blocks: number;
  /** Notifications for likes too (follows, comments and mentions always notify). */
  likeNotifications: boolean;
  /** Generated times are offsets back from this instant (default: now, to the minute). */
  anchor: Date;
  /** The first user signs in with these (every generated user shares the password). */
  demoEmail: string;
  password: string;
  progress: boolean;
}

export const DEMO_EMAIL = 'demo@agora.local';
export const DEMO_PASSWORD = 'agora-demo-password';

export function defaultOptions(overrides: Partial<SeedOptions> = {}): SeedOptions {
  const anchor = new Date();
  anchor.setUTCSeconds(0, 0);
  return {
    seed: 1,
    users: 50,
    posts: 500,
    followsPerUser: 10,
    likes: 1500,
    comments: 300,
    blocks: 0,
    likeNotifications: true,
    anchor,
    demoEmail: DEMO_EMAIL,
    password: DEMO_PASSWORD,
    progress: false,
    ...overrides,
  };
}

export class UsageError extends Error {}

const USAGE = `usage: npm run seed -- [--db-url URL] [--seed N] [--users N] [--posts N] [--follows-per-user N]
                       [--likes N] [--comments N] [--blocks N] [--no-like-notifications] [--anchor ISO-TIME]
                       [--progress | --no-progress]
Generates a deterministic social network (same --seed and --anchor: same data) and bulk-loads it
with COPY into a database whose app tables are empty (default: the dev stack's database).`;

function count(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}

const SEED_FLAGS = {
  'db-url': { type: 'string' },
  seed: { type: 'string' },
  users: { type: 'string' },
  posts: { type: 'string' },
  'follows-per-user': { type: 'string' },
  likes: { type: 'string' },
  comments: { type: 'string' },
  blocks: { type: 'string' },
  'no-like-notifications': { type: 'boolean' },
  anchor: { type: 'string' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const parseSeedFlags = (args: string[]) => parseArgs({ args, options: SEED_FLAGS, strict: true });

export function parseSeedArgs(argv: string[]): { options: SeedOptions; dbUrl?: string } {
  let parsed: ReturnType<typeof parseSeedFlags>;
  try {
    parsed = parseSeedFlags(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError(USAGE);
  const base = defaultOptions();
  const users = count('users', v.users, base.users, 1);
  const posts = count('posts', v.posts, base.posts);
  let anchor = base.anchor;
  if (v.anchor !== undefined) {
    anchor = new Date(v.anchor);
    if (Number.isNaN(anchor.getTime())) throw new UsageError(`--anchor must be an ISO time, got ${JSON.stringify(v.anchor)}`);
  }
  const options = defaultOptions({
    seed: count('seed', v.seed, base.seed),
    users,
    posts,
    followsPerUser: count('follows-per-user', v['follows-per-user'], base.followsPerUser),
    likes: count('likes', v.likes, base.likes),
    comments: count('comments', v.comments, base.comments),
    blocks: count('blocks', v.blocks, base.blocks),
    likeNotifications: !v['no-like-notifications'],
    anchor,
    progress: v['no-progress'] ? false : (v.progress ?? (process.stdout.isTTY && users + posts > 100_000)),
  });
  return { options, dbUrl: v['db-url'] };
}
