import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { denoSettings } from '../config/deno.js';
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


export const BOOTSTRAP = path.join(path.dirname(new URL(import.meta.url).pathname), 'worker', 'bootstrap.js');

/** Deno's own settings for a child process: cache, registry access, quiet output. */
export function denoEnv(): Record<string, string> {
  const { cacheDir, networkEnv, extraCaFile } = denoSettings();
  const env = { ...networkEnv };
  // Trust the operating system's certificate store too, and any extra CA Node is told about.
  env.DENO_TLS_CA_STORE ??= 'mozilla,system';
  if (extraCaFile) env.DENO_CERT = extraCaFile;
  return { ...env, DENO_DIR: cacheDir, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
}
