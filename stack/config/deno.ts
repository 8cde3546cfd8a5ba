import path from 'node:path';
import { PROJECT_ROOT } from './load.js';

// How this machine reaches the npm registry (proxies, extra certificate authorities), passed on
// so Deno can fetch a function's npm packages wherever `npm install` can.
const NETWORK_ENV = [
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'DENO_CERT', 'DENO_TLS_CA_STORE', 'NPM_CONFIG_REGISTRY',
];

export interface DenoSettings {
  /**
   * Deno's module cache (npm packages it fetched from the registry, transpiled sources), kept
   * across stacks and test runs so a function's npm imports are downloaded once (AGORA_DENO_DIR
   * overrides it).
   */
  cacheDir: string;
  /** The registry-access variables set here, to pass on as they are. */
  networkEnv: Record<string, string>;
  /** An extra certificate authority for Deno to trust: DENO_CERT, else the one Node is told about. */
  extraCaFile: string | null;
}

export function denoSettings(env: NodeJS.ProcessEnv = process.env): DenoSettings {
  const networkEnv: Record<string, string> = {};
  for (const key of NETWORK_ENV) {
    const value = env[key];
    if (value) networkEnv[key] = value;
  }
  return {
    cacheDir: env.AGORA_DENO_DIR || path.join(PROJECT_ROOT, 'node_modules', '.cache', 'deno'),
    networkEnv,
    extraCaFile: env.DENO_CERT || env.NODE_EXTRA_CA_CERTS || null,
  };
}
