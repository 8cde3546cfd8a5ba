import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../stack/config/load.js';
import { denoSettings } from '../stack/config/deno.js';
import { denoBinary } from '../stack/functions/deno.js';

export interface LcovTotals {
  files: string[];
  lines: { total: number; covered: number };
  branches: { total: number; covered: number };
  /** Function sources no Deno test loaded (Deno reports only loaded files). */
  notLoaded: string[];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return name.endsWith('.ts') && !name.endsWith('_test.ts') ? [p] : [];
  });
}

/** Sums an lcov file's LF/LH (lines) and BRF/BRH (branches), skipping test files. */
export function lcovTotals(lcov: string, root: string): LcovTotals {
  const totals: LcovTotals = { files: [], lines: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 }, notLoaded: [] };
  let file = '';
  for (const line of lcov.split('\n')) {
    const [tag, value] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
    if (tag === 'SF') file = value.replace(/^file:\/\//, '');
    if (file.endsWith('_test.ts')) continue;
    if (tag === 'SF') totals.files.push(file);
    else if (tag === 'LF') totals.lines.total += Number(value);
    else if (tag === 'LH') totals.lines.covered += Number(value);
    else if (tag === 'BRF') totals.branches.total += Number(value);
    else if (tag === 'BRH') totals.branches.covered += Number(value);
  }
  totals.notLoaded = sources(root).filter((f) => !totals.files.includes(f)).map((f) => path.relative(PROJECT_ROOT, f));
  return totals;
}

/**
 * functions/ runs in Deno, not Node: its coverage comes from the functions' own Deno tests
 * (`deno test --coverage`, as tests/functions/deno.test.ts runs them) and `deno coverage --lcov`.
 * The stack's Deno workers serving the end-to-end function tests are not measured.
 */
export function denoCoverage(outDir: string): LcovTotals {
  const functions = path.join(PROJECT_ROOT, 'functions');
  const raw = path.join(outDir, 'deno-raw');
  const lcovFile = path.join(outDir, 'functions.lcov');
  rmSync(raw, { recursive: true, force: true });
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DENO_DIR: denoSettings().cacheDir, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
  const run = (args: string[]) => {
    const r = spawnSync(denoBinary(), args, { cwd: functions, env, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`deno ${args[0]} failed: ${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-5).join(' / ')}`);
  };
  run(['test', '--quiet', '--config', path.join(functions, 'deno.json'), '--allow-read', '--allow-env', '--allow-net=127.0.0.1', `--coverage=${raw}`, functions]);
  run(['coverage', raw, '--lcov', `--output=${lcovFile}`]);
  return lcovTotals(readFileSync(lcovFile, 'utf8'), functions);
}
