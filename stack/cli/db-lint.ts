import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../config/load.js';
import { listMigrations } from '../db/migrations.js';
import { StackError } from '../errors.js';
import { fail } from './fail.js';

const SQUAWK = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'squawk');
const RULES = path.join(PROJECT_ROOT, '.squawk.toml');

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    throw new StackError(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, 'name the files, or pass --all (or --since <git ref>)');
  }
}

/** Migrations added or changed since `ref` (their merge base), committed or not. */
function newMigrations(dir: string, ref: string): string[] {
  const root = git(['rev-parse', '--show-toplevel'], dir).trim();
  const base = git(['merge-base', ref, 'HEAD'], dir).trim();
  const changed = git(['diff', '--name-only', '--diff-filter=AMR', base, '--', dir], root).split('\n');
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--full-name', '--', dir], dir).split('\n');
  const files = new Set([...changed, ...untracked].filter((f) => f.endsWith('.sql')).map((f) => path.join(root, f)));
  return [...files].filter((f) => existsSync(f)).sort();
}

// `npm run db:lint [-- <files>|--all|--since <ref>]`: squawk over the migrations this branch adds
// (since `main` unless --since names another ref), with the rules in .squawk.toml.
try {
  const { values, positionals } = parseArgs({
    options: { all: { type: 'boolean' }, since: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const dir = path.join(loadConfig().supabaseDir, 'migrations');
  const files = positionals.length
    ? positionals.map((f) => path.resolve(f))
    : values.all
      ? listMigrations(dir).map((m) => m.file)
      : newMigrations(dir, values.since ?? 'main');
  if (files.length === 0) {
    process.stdout.write(`No new migrations to lint (since ${values.since ?? 'main'}; --all lints every one).\n`);
    process.exit(0);
  }
  const run = spawnSync(SQUAWK, ['--config', RULES, ...files], { stdio: 'inherit' });
  if (run.error) throw run.error;
  process.exit(run.status ?? 1);
} catch (err) {
  fail(err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
    ? new StackError(err.message, 'usage: npm run db:lint [-- <files> | --all | --since <git ref>]')
    : err);
}
