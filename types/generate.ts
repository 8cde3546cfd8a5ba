import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

// Supabase's own generator: postgres-meta's server, started with PG_META_GENERATE_TYPES, prints
// the file `supabase gen types typescript` prints (the CLI runs the same program in a container).
const require = createRequire(import.meta.url);
const SERVER = path.join(path.dirname(require.resolve('@supabase/postgres-meta/package.json')), 'dist', 'server', 'server.js');

export const TYPES_FILE = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'database.ts');

/** The TypeScript types of `schemas` in the database at `dbUrl`, as the Supabase CLI generates them. */
export function generateTypes(dbUrl: string, schemas: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER], {
      env: {
        PATH: process.env.PATH ?? '',
        PG_META_DB_URL: dbUrl,
        PG_META_GENERATE_TYPES: 'typescript',
        PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS: schemas.join(','),
        PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && stdout.includes('export type Database')) resolve(stdout);
      else reject(new Error(`postgres-meta type generation failed (exit ${code}): ${stderr.trim() || stdout.slice(0, 500)}`));
    });
  });
}
