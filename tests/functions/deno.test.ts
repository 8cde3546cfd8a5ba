import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/config/load.js';
import { denoBinary, denoEnv } from '../../stack/functions/deno.js';

describe('the functions\' own Deno tests', () => {
  it('`deno test` on functions/**/*_test.ts passes with the npm-installed Deno', () => {
    const functions = path.join(PROJECT_ROOT, 'functions');
    const run = spawnSync(denoBinary(), ['test', '--config', path.join(functions, 'deno.json'), '--allow-read', '--allow-env', '--allow-net=127.0.0.1', functions], {
      cwd: functions,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...denoEnv() },
      encoding: 'utf8',
      timeout: 240_000,
    });
    const out = `${run.stdout}\n${run.stderr}`;
    expect(out, out).toMatch(/ok \| \d+ passed \| 0 failed/);
    expect(Number(/ok \| (\d+) passed/.exec(out)?.[1])).toBeGreaterThan(5);
    expect(run.status, out).toBe(0);
  }, 300_000);
});
