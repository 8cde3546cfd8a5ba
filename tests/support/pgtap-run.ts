import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { splitStatements } from '../../stack/db/sql-script.js';
import { parseTap, type TapResult } from './tap.js';

export interface FileResult extends TapResult {
  file: string;
  error?: string;
}

/**
 * Runs one pgTAP file statement by statement on its own connection and collects every line
 * the assertions return. An error mid-file is a failure of that file (psql would exit 0).
 */
export async function runPgtapFile(connectionString: string, file: string): Promise<FileResult> {
  const client = new pg.Client({ connectionString, application_name: `pgtap:${path.basename(file)}` });
  await client.connect();
  const lines: string[] = [];
  let error: string | undefined;
  try {
    await client.query("set client_min_messages = 'warning'");
    for (const statement of splitStatements(readFileSync(file, 'utf8'))) {
      try {
        const result = await client.query({ text: statement.text, rowMode: 'array' });
        for (const r of Array.isArray(result) ? result : [result]) {
          for (const row of r.rows ?? []) {
            for (const value of row as unknown[]) if (typeof value === 'string') lines.push(...value.split('\n'));
          }
        }
      } catch (err) {
        error = `${path.basename(file)}:${statement.line}: ${(err as Error).message}`;
        await client.query('rollback').catch(() => {});
        break;
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
  const tap = parseTap(lines);
  if (error) tap.failures.unshift(`# died: ${error}`);
  return { ...tap, ok: tap.ok && !error, file, error };
}

// The test files of a folder in path order; `recursive`: every .sql and .pg file below it, as
// `supabase test db` finds them under supabase/tests.
function testFiles(dir: string, recursive: boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive, withFileTypes: true })
    .filter((e) => e.isFile() && (e.name.endsWith('.sql') || (recursive && e.name.endsWith('.pg'))))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

export async function runPgtapDir(
  connectionString: string, dir: string, out: (line: string) => void, options: { recursive?: boolean; displayRoot?: string } = {},
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (const file of testFiles(dir, options.recursive ?? false)) {
    const result = await runPgtapFile(connectionString, file);
    results.push(result);
    out(`${result.ok ? 'ok    ' : 'FAIL  '} ${path.relative(options.displayRoot ?? process.cwd(), file)} (${result.passed}/${result.planned ?? '?'})`);
    for (const f of result.failures) out(f.split('\n').map((l) => `        ${l}`).join('\n'));
  }
  return results;
}
