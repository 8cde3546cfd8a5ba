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
 * across stacks and test runs so a function's npm imports are downloaded once (AGORA_DENO_DIR
 * overrides it).
 */
export const DENO_DIR = process.env.AGORA_DENO_DIR || path.join(PROJECT_ROOT, 'node_modules', '.cache', 'deno');

export const BOOTSTRAP = path.join(path.dirname(new URL(import.meta.url).pathname), 'worker', 'bootstrap.js');

// How this machine reaches the npm registry (proxies, extra certificate authorities), passed on
// so Deno can fetch a function's npm packages wherever `npm install` can.
const NETWORK_ENV = [
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'DENO_CERT', 'DENO_TLS_CA_STORE', 'NPM_CONFIG_REGISTRY',
];

/** Deno's own settings for a child process: cache, registry access, quiet output. */
export function denoEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of NETWORK_ENV) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  // Trust the operating system's certificate store too, and any extra CA Node is told about.
  env.DENO_TLS_CA_STORE ??= 'mozilla,system';
  const extraCa = process.env.DENO_CERT || process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa) env.DENO_CERT = extraCa;
  return { ...env, DENO_DIR, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
}
