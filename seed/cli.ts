// npm run seed -- --users 1000 --posts 20000 ...: generate a deterministic network and COPY it
// into an empty database (default: the dev stack's, from supabase/config.toml).
import cliProgress from 'cli-progress';
import pg from 'pg';
import { dbUrl, loadConfig } from '../stack/config/load.js';
import { generateNetwork } from './generate.js';
import { analyzeSeeded, loadNetwork, rowTotal, SeedError } from './load.js';
import { parseSeedArgs, UsageError } from './options.js';

async function main(): Promise<void> {
  const { options, dbUrl: given } = parseSeedArgs(process.argv.slice(2));
  const url = given ?? dbUrl(loadConfig());
  const out = (line: string) => process.stdout.write(`${line}\n`);

  let t = Date.now();
  const network = generateNetwork(options);
  out(`generated ${options.users} users, ${network.posts.count} posts, ${network.follows.count} follows, ` +
    `${network.likes.count} likes, ${network.comments.count} comments in ${Date.now() - t} ms (seed ${options.seed})`);

  const client = new pg.Client({ connectionString: url, application_name: 'agora-seed' });
  await client.connect();
  const bar = options.progress
    ? new cliProgress.SingleBar({ format: 'loading [{bar}] {percentage}% | {value}/{total} rows | {duration}s' }, cliProgress.Presets.shades_classic)
    : null;
  try {
    bar?.start(rowTotal(network), 0);
    const big = rowTotal(network) > 200_000;
    const summary = await loadNetwork(client, network, { tick: bar ? (n) => bar.increment(n) : undefined, deferIndexes: big });
    bar?.stop();
    out(`loaded ${summary.users} users, ${summary.posts} posts, ${summary.follows} follows, ${summary.likes} likes, ` +
      `${summary.comments} comments, ${summary.hashtags} hashtags, ${summary.notifications} notifications in ${summary.ms} ms`);
    t = Date.now();
    await analyzeSeeded(client, big);
    out(`${big ? 'vacuum analyze' : 'analyze'}: ${Date.now() - t} ms`);
    out(`sign in as ${options.demoEmail} / ${options.password} (every seeded user has that password)`);
  } finally {
    bar?.stop();
    await client.end();
  }
}

main().catch((err) => {
  if (err instanceof UsageError || err instanceof SeedError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`seed failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
