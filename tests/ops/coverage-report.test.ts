import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appObjects, dbCoverage, pgtapText } from '../../scripts/coverage-db.js';
import { lcovTotals } from '../../scripts/coverage-deno.js';
import { stack } from '../support/env.js';

describe('npm run test:coverage, database part', () => {
  it('counts an object as tested only when a pgTAP file names it as a whole word, quotes unescaped', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-pgtap-text-'));
    try {
      writeFileSync(path.join(dir, '001.sql'), `select policies_are('public', 'posts', array['Authors can edit the author''s posts']);\nselect has_trigger('public', 'likes', 'count_likes');`);
      writeFileSync(path.join(dir, 'notes.txt'), 'count_posts'); // only .sql files count
      const cov = dbCoverage([
        { kind: 'table', name: 'posts', on: 'public' },
        { kind: 'table', name: 'post', on: 'public' }, // a prefix of "posts" is not a mention
        { kind: 'policy', name: "Authors can edit the author's posts", on: 'public.posts' },
        { kind: 'trigger', name: 'count_likes', on: 'public.likes' },
        { kind: 'trigger', name: 'count_posts', on: 'public.posts' },
      ], pgtapText(dir));
      expect(cov.byKind.table).toMatchObject({ total: 2, named: 1, missing: [{ name: 'post' }] });
      expect(cov.byKind.policy).toMatchObject({ total: 1, named: 1 });
      expect(cov.byKind.trigger).toMatchObject({ total: 2, named: 1, missing: [{ name: 'count_posts' }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists the app\'s tables, policies, functions and triggers from the live database', async () => {
    const objects = await appObjects(stack().dbUrl);
    const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.name);
    expect(names('table')).toEqual(expect.arrayContaining(['posts', 'profiles', 'likes']));
    expect(names('policy')).toContain('Posts are viewable by everyone');
    expect(objects).toContainEqual({ kind: 'trigger', name: 'on_auth_user_created', on: 'auth.users' });
    // platform objects are not the app's
    expect(names('table')).not.toContain('schema_migrations');
  });
});

describe('npm run test:coverage, functions part', () => {
  it('sums lines and branches of an lcov report without the test files, and names sources no test loaded', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'agora-lcov-'));
    try {
      mkdirSync(path.join(root, 'media'));
      for (const f of ['media/detect.ts', 'media/handler.ts', 'media/detect_test.ts']) writeFileSync(path.join(root, f), '');
      const lcov = [
        `SF:${path.join(root, 'media/detect.ts')}`, 'LF:10', 'LH:8', 'BRF:4', 'BRH:3', 'end_of_record',
        `SF:${path.join(root, 'media/detect_test.ts')}`, 'LF:50', 'LH:50', 'BRF:2', 'BRH:2', 'end_of_record',
      ].join('\n');
      const totals = lcovTotals(lcov, root);
      expect(totals.lines).toEqual({ total: 10, covered: 8 });
      expect(totals.branches).toEqual({ total: 4, covered: 3 });
      expect(totals.notLoaded.map((f) => path.basename(f))).toEqual(['handler.ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
