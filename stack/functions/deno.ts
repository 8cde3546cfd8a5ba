import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/load.js';
import { StackError } from '../errors.js';

const require = createRequire(import.meta.url);

/** The Deno binary installed from npm (`deno` links it from its platform package at install). */
export function denoBinary(): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve('deno/package.json'));
  } catch {
    throw new StackError('Deno is not installed', 'run `npm install` (the `deno` package ships the binary)');
  }
  for (const candidate of [path.join(dir, 'deno'), path.join(dir, '..', '@deno', `${process.platform}-${process.arch}-glibc`, 'deno')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new StackError(`no Deno binary for ${process.platform}-${process.arch} in ${dir}`, 'run `npm install deno` on a supported platform');
}

/**
 * Deno's module cache (npm packages it fetched from the registry, transpiled sources), kept
 * across stacks and test runs so a function's npm imports are downloaded once.
 */
export const DENO_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'deno');

export const BOOTSTRAP = path.join(path.dirname(new URL(import.meta.url).pathname), 'worker', 'bootstrap.js');
