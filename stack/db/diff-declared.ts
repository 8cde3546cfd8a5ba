import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import type { StackConfig } from '../config/load.js';
import { StackError } from '../errors.js';

function sqlFilesUnder(dir: string): string[] {
  return globSync('**/*.sql', { cwd: dir, absolute: true }).sort();
}

/**
 * The declarative schema files, in the order they are applied, as the CLI finds them: the
 * `[db.migrations] schema_paths` entries in order (each pattern's matches sorted, duplicates
 * once; a pattern matching nothing is an error), or else every .sql file under supabase/schemas/.
 * A matched folder stands for the .sql files under it. Empty: the project is not declarative.
 */
export function declaredSchemaFiles(config: StackConfig): string[] {
  if (config.db.schemaPaths.length === 0) {
    const dir = path.join(config.supabaseDir, 'schemas');
    return existsSync(dir) ? sqlFilesUnder(dir) : [];
  }
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const pattern of config.db.schemaPaths) {
    const matches = globSync(path.relative(config.supabaseDir, pattern).split(path.sep).join('/'), {
      cwd: config.supabaseDir, absolute: true, onlyFiles: false, expandDirectories: false,
    }).sort();
    if (matches.length === 0) missing.push(path.relative(config.rootDir, pattern));
    for (const match of matches) {
      for (const file of statSync(match).isDirectory() ? sqlFilesUnder(match) : [match]) seen.add(path.resolve(file));
    }
  }
  if (missing.length) {
    throw new StackError(`no files matched [db.migrations] schema_paths pattern: ${missing.join(', ')}`, 'fix schema_paths in supabase/config.toml');
  }
  return [...seen];
}
