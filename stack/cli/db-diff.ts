import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { declaredSchemaFiles } from '../db/diff-declared.js';
import { findHazards, formatMigration } from '../db/diff-hazards.js';
import { diffAgainstMigrations, dropScratchDatabases } from '../db/diff-shadow.js';
import { assertMigrationName, writeMigration } from '../db/migration-new.js';
import { StackError } from '../errors.js';
import type { PostgresCluster } from '../postgres/cluster.js';
import { clusterFor } from '../stack.js';
import { fail } from './fail.js';

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** --db-url must name a database on this machine: the tool never reaches anywhere else. */
function loopbackUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StackError(`--db-url is not a URL: ${raw}`, 'e.g. postgresql://postgres:postgres@127.0.0.1:54322/postgres');
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) throw new StackError(`--db-url must be a postgresql:// URL, not ${url.protocol}`);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new StackError(`--db-url must be a local database (127.0.0.1), not ${url.hostname}`, 'diff a hosted project with `npx supabase db diff --linked`');
  }
  return raw;
}

const err = (line: string) => process.stderr.write(`${line}\n`);

// Postgres started just for this diff, if the stack was not running.
let cluster: PostgresCluster | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    err(`\nInterrupted (${signal}): dropping the shadow database...`);
    // Dropping it ends the diff's own connections mid-query: their errors are expected now.
    process.on('uncaughtException', () => {});
    process.on('unhandledRejection', () => {});
    void dropScratchDatabases().then(() => cluster?.stop()).finally(() => process.exit(130));
  });
}

// `npm run db:diff [-- -f <name>] [--db-url <url>]`, as `supabase db diff`: the schema changes
// the migrations lack, printed or written as a new migration.
try {
  const { values } = parseArgs({
    options: { file: { type: 'string', short: 'f' }, 'db-url': { type: 'string' } },
    strict: true,
  });
  if (values.file !== undefined) assertMigrationName(values.file);
  const config = loadConfig();
  const declared = declaredSchemaFiles(config);
  const targetUrl = values['db-url'] !== undefined ? loopbackUrl(values['db-url']) : undefined;
  // Against the running stack's Postgres, or one started just for the diff.
  cluster = (await listening(config.db.port)) ? null : clusterFor(config);
  if (cluster) {
    const fresh = await cluster.init();
    if (fresh && !declared.length && !targetUrl) {
      throw new StackError('there is no dev database to diff yet', 'run `npm start` once (it builds the database), change it, then diff');
    }
    await cluster.start();
  }
  let statements: string[];
  try {
    statements = await diffAgainstMigrations(config, { targetUrl, declared, progress: err });
  } finally {
    await cluster?.stop();
  }
  if (statements.length === 0) {
    err('No schema changes found');
  } else {
    const sql = formatMigration(statements);
    if (values.file !== undefined) {
      const file = writeMigration(path.join(config.supabaseDir, 'migrations'), values.file, sql);
      err(`Created new migration at ${path.relative(process.cwd(), file) || file}`);
    } else {
      process.stdout.write(sql);
    }
    const hazards = findHazards(statements);
    if (hazards.length) {
      err(`\nWARNING: ${hazards.length} statement(s) lose data. Check them before applying:`);
      for (const h of hazards) err(`  ${h.statement.split('\n')[0]}  -- ${h.reason}`);
    }
  }
} catch (e) {
  fail(e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ? new StackError(e.message, 'usage: npm run db:diff [-- -f <name>] [--db-url <url>]') : e);
}
