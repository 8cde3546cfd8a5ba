import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** The flags every browser test runs Chromium with: headless, offline, no first-run chatter. */
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function apt(args: string[]): void {
  execFileSync('apt-get', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
}

/**
 * Debian's chromium, installed with apt-get on first use (like pgTAP in tests/support): the
 * npm `playwright` browsers are downloaded from outside the npm registry, Debian's package is not.
 * Throws a one-paragraph explanation when it cannot be had.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM} is missing and installing it needs root: run \`apt-get install -y chromium\` as root, then the tests again`);
  }
  try {
    try {
      apt(['install', '-y', 'chromium']);
    } catch {
      apt(['update']); // a machine that never ran it has no package lists
      apt(['install', '-y', 'chromium']);
    }
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim().split('\n').slice(-3).join(' / ');
    throw new Error(`Debian's chromium is not installed and \`apt-get install -y chromium\` failed: ${stderr}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} does not exist`);
  return CHROMIUM;
}
