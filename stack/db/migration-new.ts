import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors.js';

/** The CLI's migration version: the UTC time as YYYYMMDDHHMMSS. */
export function migrationTimestamp(now = new Date()): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

// The name becomes part of a file name: no path separators, nothing hidden, nothing invisible.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function assertMigrationName(name: string): void {
  if (!NAME.test(name)) {
    throw new StackError(
      `invalid migration name ${JSON.stringify(name)}`,
      'use letters, digits, "_", "-" or "." (up to 100 characters), starting with a letter or digit, e.g. add_bio_to_profiles',
    );
  }
}

/** Writes `<migrationsDir>/<timestamp>_<name>.sql`, as `supabase migration new` does; returns its path. */
export function writeMigration(migrationsDir: string, name: string, sql = '', now = new Date()): string {
  assertMigrationName(name);
  mkdirSync(migrationsDir, { recursive: true });
  const file = path.join(migrationsDir, `${migrationTimestamp(now)}_${name}.sql`);
  // 'wx': never overwrite a migration written in the same second under the same name.
  try {
    writeFileSync(file, sql, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new StackError(`${file} already exists`, 'wait a second or pick another name');
    throw err;
  }
  return file;
}
