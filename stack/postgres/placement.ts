import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { OsUser } from './os-user.js';

// As root, Postgres runs as its own system user, which must be able to reach both the binaries
// and PGDATA. A project cloned under a private folder (/root, a mode-700 temp dir) hides them,
// so they are then placed under this root-owned, world-traversable folder instead.
const SHARED_ROOT = '/var/lib/agora';

/** Whether `user` can walk down to `target` (every ancestor executable for it). */
export function reachableBy(target: string, user: OsUser | null): boolean {
  if (!user) return true;
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    const st = statSync(dir);
    const ok = st.uid === user.uid ? (st.mode & 0o100) !== 0 : st.gid === user.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
    if (!ok) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/**
 * The Postgres install tree to run: the npm package's own, or a hard-linked (else copied) twin
 * under /var/lib/agora when the package's folder is out of the Postgres user's reach.
 */
export function placeBinaries(packageRoot: string, version: string, user: OsUser | null): string {
  if (reachableBy(path.join(packageRoot, 'bin'), user)) return packageRoot;
  const target = path.join(SHARED_ROOT, `postgres-${version}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    execFileSync('cp', ['-al', packageRoot, staging], { stdio: 'ignore' });
  } catch {
    rmSync(staging, { recursive: true, force: true });
    execFileSync('cp', ['-a', packageRoot, staging], { stdio: 'ignore' });
  }
  renameSync(staging, target);
  return target;
}

/**
 * Where PGDATA lives: `<dataDir>/postgres`, or — when the Postgres user cannot reach dataDir —
 * a folder under /var/lib/agora that `<dataDir>/postgres` links to, so the data stays findable
 * from the project.
 */
export function placePgdata(dataDir: string, user: OsUser | null): string {
  const local = path.join(dataDir, 'postgres');
  if (existsSync(local) && lstatSync(local).isSymbolicLink()) return readlinkSync(local);
  if (reachableBy(local, user)) return local;
  if (existsSync(local)) return local; // an existing real folder: the cluster reports what it cannot reach
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const shared = path.join(SHARED_ROOT, 'data', id);
  mkdirSync(path.dirname(shared), { recursive: true, mode: 0o755 });
  mkdirSync(dataDir, { recursive: true });
  symlinkSync(shared, local);
  return shared;
}
