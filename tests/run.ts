// `npm test`: one throwaway stack (temp data dir, free ports), then the pgTAP files in tests/db
// and, as `supabase test db` finds them, under supabase/tests/, then the vitest suites against the
// same stack. Exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../stack/config/load.js';
import { StackError } from '../stack/errors.js';
import { log } from '../stack/log.js';
import { ensurePgtap } from './support/pgtap-install.js';
import { runPgtapDir } from './support/pgtap-run.js';
import { installPgtap, startTestStack, type TestStack } from './support/test-stack.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
// The throwaway stack logs one line per request at info: thousands during a run. Keep the
// test output to warnings and errors unless AGORA_LOG_LEVEL asks for more.
if (!process.env.AGORA_LOG_LEVEL) log.level = 'warn';
const vitestArgs = process.argv.slice(2);

interface VitestOutcome {
  code: number;
  passed: number;
  failed: number;
}

async function runVitest(test: TestStack): Promise<VitestOutcome> {
  const bin = path.join(PROJECT_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const report = path.join(test.info.dataDir, 'vitest-report.json');
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
      env: { ...process.env, AGORA_TEST_STACK: JSON.stringify(test.info) },
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number };
    return { code, passed: json.numPassedTests, failed: json.numFailedTests };
  } catch {
    return { code: code || 1, passed: 0, failed: 1 };
  }
}

let test: TestStack | undefined;
let exitCode = 1;
try {
  const version = ensurePgtap();
  out('Starting a throwaway stack...');
  test = await startTestStack();
  await installPgtap(test.info.dbUrl);

  out(`\npgTAP ${version}: tests/db, supabase/tests`);
  const results = [
    ...await runPgtapDir(test.info.dbUrl, path.join(PROJECT_ROOT, 'tests', 'db'), out, { displayRoot: PROJECT_ROOT }),
    ...await runPgtapDir(test.info.dbUrl, path.join(PROJECT_ROOT, 'supabase', 'tests'), out, { recursive: true, displayRoot: PROJECT_ROOT }),
  ];
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const badFiles = results.filter((r) => !r.ok).length;
  out(`pgTAP: ${results.length} files, ${passed} assertions passed, ${failed} failed${badFiles ? `, ${badFiles} files failed` : ''}\n`);

  const vitest = await runVitest(test);
  exitCode = badFiles === 0 && vitest.code === 0 ? 0 : 1;
  out(`\npgTAP: ${passed} passed, ${failed + (badFiles && !failed ? badFiles : 0)} failed; vitest: ${vitest.passed} passed, ${vitest.failed} failed`);
  // One plain closing line for any reader of the log.
  out(`Tests: ${passed + vitest.passed} passed, ${failed + (badFiles && !failed ? badFiles : 0) + vitest.failed} failed`);
} catch (err) {
  if (err instanceof StackError) {
    process.stderr.write(`error: ${err.message}\n${err.hint ? `fix: ${err.hint}\n` : ''}`);
  } else {
    process.stderr.write(`error: ${(err as Error).stack}\n`);
  }
} finally {
  await test?.stop();
}
process.exit(exitCode);
