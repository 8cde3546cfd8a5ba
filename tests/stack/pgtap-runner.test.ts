import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPgtapFile } from '../support/pgtap-run.js';
import { parseTap } from '../support/tap.js';
import { stack } from '../support/env.js';

function sqlFile(sql: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'agora-tap-')), 'probe.sql');
  writeFileSync(file, sql);
  return file;
}

describe('the pgTAP runner', () => {
  it('counts a passing file as passing', async () => {
    const result = await runPgtapFile(stack().dbUrl, sqlFile("begin; select plan(2); select ok(true, 'a'); select is(1, 1, 'b'); select * from finish(); rollback;"));
    expect(result).toMatchObject({ ok: true, passed: 2, failed: 0, planned: 2 });
  });

  it('fails a file with a `not ok` (psql alone would exit 0)', async () => {
    const result = await runPgtapFile(stack().dbUrl, sqlFile("begin; select plan(2); select ok(true, 'a'); select is(1, 2, 'one is two'); select * from finish(); rollback;"));
    expect(result.ok).toBe(false);
    expect(result.failed).toBe(1);
    expect(result.failures[0]).toContain('not ok 2 - one is two');
  });

  it('fails a file whose plan does not match what ran', async () => {
    const result = await runPgtapFile(stack().dbUrl, sqlFile("begin; select plan(3); select ok(true, 'a'); select * from finish(); rollback;"));
    expect(result.ok).toBe(false);
    expect(result.failures.join('\n')).toMatch(/plan mismatch: planned 3, ran 1/);
  });

  it('fails a file that dies mid-way, naming the line', async () => {
    const result = await runPgtapFile(stack().dbUrl, sqlFile("begin;\nselect plan(1);\nselect no_such_thing;\nselect ok(true);\nrollback;"));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/probe\.sql:3: column "no_such_thing" does not exist/);
  });

  it('treats TODO failures as passing, as TAP does', () => {
    expect(parseTap(['1..1', 'not ok 1 - later # TODO not yet']).ok).toBe(true);
  });
});
