// `npm run test:coverage`: the whole test command with coverage, then figures.
// - Code: line and branch coverage of stack/ and functions/. The stack under test runs in the
//   test command's own process (tests/run.ts) while vitest's workers run the tests, so both are
//   measured: the workers by vitest's v8 coverage, the stack's process (and any stack started by
//   a test through tsx) by Node's NODE_V8_COVERAGE, mapped back to TypeScript with c8; the two
//   are merged per file. functions/ runs in Deno: measured by its own Deno tests (coverage-deno.ts).
// - Database: which public tables, policies, functions and triggers no pgTAP file names.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';
import { PROJECT_ROOT } from '../stack/config/load.js';
import { log } from '../stack/log.js';
import { startTestStack } from '../tests/support/test-stack.js';
import { appObjects, dbCoverage, pgtapText } from './coverage-db.js';
import { denoCoverage } from './coverage-deno.js';

const COVERAGE = path.join(PROJECT_ROOT, 'coverage');
const RAW = path.join(COVERAGE, '.v8');
const RAW_APP = path.join(COVERAGE, '.v8-app');
const VITEST_DIR = path.join(COVERAGE, 'vitest');
const STACK_DIR = path.join(COVERAGE, 'stack-process');
const out = (line = '') => process.stdout.write(`${line}\n`);
const pct = (covered: number, total: number) => (total ? `${((covered / total) * 100).toFixed(1)}%` : 'n/a');

async function runTests(): Promise<number> {
  for (const d of [RAW, RAW_APP, VITEST_DIR, STACK_DIR]) rmSync(d, { recursive: true, force: true });
  mkdirSync(RAW, { recursive: true });
  const args = [
    '--import', 'tsx', path.join(PROJECT_ROOT, 'tests', 'run.ts'),
    '--coverage.enabled', '--coverage.provider=v8', '--coverage.include=stack/**',
    '--coverage.reporter=json', `--coverage.reportsDirectory=${VITEST_DIR}`,
    ...process.argv.slice(2),
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, NODE_V8_COVERAGE: RAW } });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * Keeps, from every process's raw V8 dump, the scripts of stack/ and functions/ that Node can
 * map back to their TypeScript (tsx registers a source map for each). Vitest's workers load the
 * same files through their own transform without one: those are measured by vitest instead.
 */
function keepAppScripts(): number {
  mkdirSync(RAW_APP, { recursive: true });
  const roots = [`${pathToFileURL(path.join(PROJECT_ROOT, 'stack')).href}/`];
  let kept = 0;
  for (const file of readdirSync(RAW).filter((f) => f.endsWith('.json'))) {
    let dump: { result: Array<{ url: string }>; 'source-map-cache'?: Record<string, unknown> };
    try {
      dump = JSON.parse(readFileSync(path.join(RAW, file), 'utf8'));
    } catch {
      continue; // a process killed while writing its dump leaves it empty or cut short
    }
    const maps = dump['source-map-cache'] ?? {};
    const result = dump.result.filter((s) => roots.some((r) => s.url.startsWith(r)) && maps[s.url]);
    if (!result.length) continue;
    kept += 1;
    writeFileSync(path.join(RAW_APP, file), JSON.stringify({ result, 'source-map-cache': Object.fromEntries(result.map((s) => [s.url, maps[s.url]])) }));
  }
  return kept;
}

function c8Report(): void {
  const c8 = path.join(PROJECT_ROOT, 'node_modules', 'c8', 'bin', 'c8.js');
  const r = spawnSync(process.execPath, [
    c8, 'report', `--temp-directory=${RAW_APP}`, `--reports-dir=${STACK_DIR}`, '--reporter=json',
    '--include=stack/**', '--all', '--extension=.ts', '--exclude-after-remap',
  ], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`c8 report failed: ${r.stderr}`);
}

function mergedCoverage(): libCoverage.CoverageMap {
  const map = libCoverage.createCoverageMap({});
  for (const dir of [VITEST_DIR, STACK_DIR]) {
    const file = path.join(dir, 'coverage-final.json');
    if (existsSync(file)) map.merge(JSON.parse(readFileSync(file, 'utf8')));
  }
  return map;
}

function summarize(map: libCoverage.CoverageMap, prefix: string) {
  const s = libCoverage.createCoverageSummary();
  let files = 0;
  for (const f of map.files()) {
    if (!path.relative(PROJECT_ROOT, f).startsWith(prefix)) continue;
    s.merge(map.fileCoverageFor(f).toSummary());
    files += 1;
  }
  return { files, lines: s.lines, branches: s.branches };
}

if (!process.env.AGORA_LOG_LEVEL) log.level = 'warn';
const testExit = await runTests();

out('\nCoverage');
const processes = keepAppScripts();
c8Report();
const map = mergedCoverage();
const context = libReport.createContext({ dir: path.join(COVERAGE, 'html'), coverageMap: map, defaultSummarizer: 'nested' });
reports.create('html').execute(context);
reports.create('json-summary', { file: 'coverage-summary.json' }).execute(libReport.createContext({ dir: COVERAGE, coverageMap: map }));

const figures: Record<string, unknown> = {};
const line = (name: string, l: { covered: number; total: number }, b: { covered: number; total: number }, files: number) =>
  out(`  ${name.padEnd(11)} lines ${pct(l.covered, l.total).padStart(6)} (${l.covered}/${l.total})   branches ${pct(b.covered, b.total).padStart(6)} (${b.covered}/${b.total})   ${files} files`);
const stackTotals = summarize(map, 'stack/');
figures['stack/'] = { files: stackTotals.files, lines: stackTotals.lines.pct, branches: stackTotals.branches.pct };
line('stack/', stackTotals.lines, stackTotals.branches, stackTotals.files);
try {
  const deno = denoCoverage(COVERAGE);
  figures['functions/'] = { files: deno.files.length, lines: Number(pct(deno.lines.covered, deno.lines.total).replace('%', '')), branches: Number(pct(deno.branches.covered, deno.branches.total).replace('%', '')), not_loaded: deno.notLoaded };
  line('functions/', deno.lines, deno.branches, deno.files.length);
  out(`    (Deno: the functions' own tests; not loaded by them: ${deno.notLoaded.join(', ') || 'none'})`);
} catch (err) {
  out(`  functions/  not measured: ${(err as Error).message}`);
}
const folders = [...new Set(map.files().map((f) => path.relative(PROJECT_ROOT, f).split('/').slice(0, 2).join('/')).filter((f) => f.startsWith('stack/') && !f.endsWith('.ts')))].sort();
for (const folder of folders) {
  const s = summarize(map, `${folder}/`);
  out(`    ${folder.padEnd(18)} lines ${pct(s.lines.covered, s.lines.total).padStart(6)}   branches ${pct(s.branches.covered, s.branches.total).padStart(6)}`);
}
out(`  (stack processes measured: ${processes}; HTML report: coverage/html/index.html)`);

// The database: a fresh throwaway stack has exactly the migrations' objects.
out('\nDatabase objects named by a pgTAP file (tests/db/*.sql)');
const test = await startTestStack();
try {
  const cov = dbCoverage(await appObjects(test.info.dbUrl), pgtapText(path.join(PROJECT_ROOT, 'tests', 'db')));
  for (const [kind, k] of Object.entries(cov.byKind)) {
    out(`  ${(kind === 'policy' ? 'policies' : `${kind}s`).padEnd(10)} ${String(k.named).padStart(3)}/${k.total} named (${pct(k.named, k.total)})`);
    for (const m of k.missing) out(`      untested: ${m.on}: ${m.name}`);
    figures[`db_${kind}s`] = { named: k.named, total: k.total, untested: k.missing.map((m) => `${m.on}: ${m.name}`) };
  }
} finally {
  await test.stop();
}
writeFileSync(path.join(COVERAGE, 'summary.json'), `${JSON.stringify(figures, null, 2)}\n`);
out(`\nFigures written to coverage/summary.json${testExit ? ` (the tests FAILED: exit ${testExit})` : ''}`);
process.exit(testExit);
