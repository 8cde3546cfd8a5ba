import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/config/load.js';

// `npm run db:lint`: squawk, with the rules of .squawk.toml, over the migrations a branch adds.

function dbLint(args: string[], workdir = PROJECT_ROOT): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'stack', 'cli', 'db-lint.ts'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AGORA_WORKDIR: workdir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

const RISKY = `alter table public.posts alter column content type varchar(100);
alter table public.profiles add column pronouns text not null;
`;
const SAFE = `create table public.notes (
  id bigint generated always as identity primary key,
  body text not null,
  created_at timestamptz not null default now()
);
create index notes_created_at_idx on public.notes (created_at);
alter table public.profiles add column pronouns text;
`;

const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** A git project on `main` with one committed migration, then a branch that adds `added`. */
function branchWith(added: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-lint-proj-'));
  projects.push(dir);
  const migrations = path.join(dir, 'supabase', 'migrations');
  mkdirSync(migrations, { recursive: true });
  cpSync(path.join(PROJECT_ROOT, 'supabase', 'config.toml'), path.join(dir, 'supabase', 'config.toml'));
  // Already applied everywhere: risky, but not new, so not linted.
  writeFileSync(path.join(migrations, '20240101000000_old.sql'), 'alter table public.posts drop column legacy;\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@agora.local', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'init');
  git('checkout', '-qb', 'feature');
  writeFileSync(path.join(migrations, '20240102000000_new.sql'), added);
  return dir;
}

describe('npm run db:lint', () => {
  it('flags a new migration that rewrites or locks a live table, naming the rules', async () => {
    const run = await dbLint([], branchWith(RISKY));
    expect(run.code).not.toBe(0);
    expect(run.out).toMatch(/20240102000000_new\.sql/);
    expect(run.out).toMatch(/changing-column-type/);
    expect(run.out).toMatch(/adding-required-field/);
    expect(run.out).not.toMatch(/20240101000000_old\.sql/);
  });

  it('passes a new migration that only adds a table, an index on it and a nullable column', async () => {
    const run = await dbLint([], branchWith(SAFE));
    expect(run.out).toMatch(/Found 0 issues in 1 file/);
    expect(run.code, run.out).toBe(0);
  });

  it("passes every one of the project's own migrations with the tuned rules", async () => {
    const run = await dbLint(['--all']);
    expect(run.out).toMatch(/Found 0 issues/);
    expect(run.code, run.out).toBe(0);
  });

  it('says so when the branch adds no migration, and refuses unknown options', async () => {
    const dir = branchWith(SAFE);
    execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir });
    execFileSync('git', ['clean', '-qfd'], { cwd: dir });
    const none = await dbLint([], dir);
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/No new migrations to lint/);
    const bad = await dbLint(['--bogus']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/Unknown option '--bogus'/);
  });
});
