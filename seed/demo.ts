import type pg from 'pg';
import { generateNetwork } from './generate.js';
import { analyzeSeeded, loadNetwork, SEEDED_TABLES } from './load.js';
import { defaultOptions } from './options.js';

export interface DemoNetwork {
  /** One line for the start-up report. */
  summary: string;
  login: { email: string; password: string };
}

/**
 * The small network `npm start` puts in a fresh database (50 users, 500 posts): enough to click
 * through a feed, notifications and search; small enough for a quick cold start. Skipped (null)
 * when the served project has no such tables or they already hold rows.
 */
export async function seedDemoNetwork(client: pg.ClientBase): Promise<DemoNetwork | null> {
  const { rows } = await client.query<{ missing: number }>(
    'select count(*)::int as missing from unnest($1::text[]) t where to_regclass(t) is null',
    [SEEDED_TABLES],
  );
  if (rows[0].missing > 0) return null;
  if ((await client.query('select 1 from public.profiles limit 1')).rowCount) return null;
  const options = defaultOptions();
  const summary = await loadNetwork(client, generateNetwork(options));
  await analyzeSeeded(client, false);
  return {
    summary: `demo network (${summary.users} users, ${summary.posts} posts, ${summary.follows} follows, ${summary.likes} likes, ${summary.comments} comments)`,
    login: { email: options.demoEmail, password: options.password },
  };
}
