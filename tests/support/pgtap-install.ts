import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../stack/config/load.js';
import { StackError } from '../../stack/errors.js';
import { pgBinaries } from '../../stack/postgres/binaries.js';

// pgTAP 1.2.0 (the version Supabase ships) is pure SQL, so Debian's build for Postgres 15 works
// on 17. It is kept in .cache/, which `npm ci` does not wipe, and copied into the embedded
// Postgres's extension folder, which it does.
const PACKAGE = 'postgresql-15-pgtap';
const CACHE = path.join(PROJECT_ROOT, '.cache', 'pgtap');
const EXTRACTED = path.join(CACHE, 'root', 'usr', 'share', 'postgresql', '15', 'extension');

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

function download(): void {
  const debDir = path.join(CACHE, 'deb');
  mkdirSync(debDir, { recursive: true });
  const attempt = () => run('apt-get', ['download', PACKAGE], debDir);
  try {
    attempt();
  } catch {
    // A machine that never ran `apt-get update` has no package lists yet.
    try {
      if (process.getuid?.() === 0) run('apt-get', ['update'], debDir);
      attempt();
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim().split('\n').pop();
      throw new StackError(
        `pgTAP is not installed and \`apt-get download ${PACKAGE}\` failed: ${stderr}`,
        `as root run \`apt-get update\`, then \`npm test\` again; or unpack pgTAP's extension files (pgtap.control, pgtap--*.sql) into ${EXTRACTED}`,
      );
    }
  }
  const deb = readdirSync(debDir).find((f) => f.startsWith(PACKAGE) && f.endsWith('.deb'));
  if (!deb) throw new StackError(`apt-get download ${PACKAGE} left no .deb in ${debDir}`);
  run('dpkg-deb', ['-x', path.join(debDir, deb), path.join(CACHE, 'root')], CACHE);
}

/** Makes `create extension pgtap` work in the embedded Postgres; returns the version installed. */
export function ensurePgtap(): string {
  if (!existsSync(path.join(EXTRACTED, 'pgtap.control'))) download();
  const target = pgBinaries().extensionDir;
  for (const file of readdirSync(EXTRACTED).filter((f) => f.startsWith('pgtap') || f.startsWith('uninstall_pgtap'))) {
    const dest = path.join(target, file);
    if (!existsSync(dest)) copyFileSync(path.join(EXTRACTED, file), dest);
  }
  const control = readFileSync(path.join(EXTRACTED, 'pgtap.control'), 'utf8');
  return /default_version\s*=\s*'([^']+)'/.exec(control)?.[1] ?? 'unknown';
}
