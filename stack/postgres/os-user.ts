import { execFileSync } from 'node:child_process';
import { StackError } from '../errors.js';

// Postgres refuses to run as root; when we are root, its processes run as this system user.
const PG_OS_USER = 'agora-postgres';

export interface OsUser {
  uid: number;
  gid: number;
  name: string;
}

function idOf(flag: '-u' | '-g', name: string): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
}

/** The user Postgres runs as: ourselves, or (as root) a system user created on first use. */
let cached: OsUser | null | undefined;

export function postgresOsUser(): OsUser | null {
  if (cached === undefined) cached = findOrCreate();
  return cached;
}

function findOrCreate(): OsUser | null {
  if (process.getuid?.() !== 0) return null;
  try {
    return { uid: idOf('-u', PG_OS_USER), gid: idOf('-g', PG_OS_USER), name: PG_OS_USER };
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', PG_OS_USER], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      throw new StackError(`running as root, but cannot create the system user ${PG_OS_USER} for Postgres: ${(err as Error).message}`);
    }
    return { uid: idOf('-u', PG_OS_USER), gid: idOf('-g', PG_OS_USER), name: PG_OS_USER };
  }
}
