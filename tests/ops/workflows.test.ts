import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/config/load.js';

// The GitHub Actions workflows: valid for GitHub's schema, and doing what docs/deploy.md says.

const WORKFLOWS = path.join(PROJECT_ROOT, '.github', 'workflows');
const VALIDATOR = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'action-validator');

function validate(file: string): { code: number | null; out: string } {
  const run = spawnSync(VALIDATOR, [file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: run.status, out: run.stdout + run.stderr };
}

interface Step { uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, { steps: Step[] }> }

function workflow(name: string): Workflow {
  return parse(readFileSync(path.join(WORKFLOWS, name), 'utf8')) as Workflow;
}

const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

describe('the GitHub Actions workflows', () => {
  for (const name of ['ci.yml', 'deploy.yml']) {
    it(`${name} passes action-validator`, () => {
      const run = validate(path.join(WORKFLOWS, name));
      expect(run.out).toBe('');
      expect(run.code).toBe(0);
    });
  }

  it('action-validator rejects a workflow with a misspelt key (the check can fail)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-wf-'));
    const broken = readFileSync(path.join(WORKFLOWS, 'ci.yml'), 'utf8').replace('    steps:\n', '    step:\n');
    writeFileSync(path.join(dir, 'ci.yml'), broken);
    const run = validate(path.join(dir, 'ci.yml'));
    expect(run.code).not.toBe(0);
    expect(run.out).toMatch(/Additional property 'step' is not allowed/);
  });

  it('CI runs npm ci and npm test on every push and pull request, caching npm and pgTAP', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.push).toBeNull(); // every branch, no filter
    const runs = steps(ci).map((s) => s.run);
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm test');
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm test'));
    const cached = steps(ci).filter((s) => s.uses?.startsWith('actions/cache@')).map((s) => s.with?.path);
    expect(cached).toEqual(expect.arrayContaining(['~/.npm', '.cache/pgtap']));
  });

  it('deploy runs on a manual dispatch and on version tags, the commands of docs/deploy.md in order, dry run first', () => {
    const deploy = workflow('deploy.yml');
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ tags: ['v*'] });

    const doc = readFileSync(path.join(PROJECT_ROOT, 'docs', 'deploy.md'), 'utf8');
    const block = /<!-- deploy-steps[^>]*-->\n```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const documented = block!.trim().split('\n');
    const ran = steps(deploy).flatMap((s) => (s.run ? [s.run.trim()] : []));
    expect(ran).toEqual(documented);
    expect(documented.findIndex((c) => c.includes('db push --dry-run'))).toBeLessThan(documented.findIndex((c) => /db push --password/.test(c)));

    // The project comes from repository secrets, never from the file.
    const env = (Object.values(deploy.jobs)[0] as unknown as { env: Record<string, string> }).env;
    for (const secret of ['SUPABASE_ACCESS_TOKEN', 'SUPABASE_PROJECT_REF', 'SUPABASE_DB_PASSWORD']) {
      expect(env[secret]).toBe(`\${{ secrets.${secret} }}`);
    }
  });
});
