import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import pg from 'pg';
import { PROJECT_ROOT } from '../../stack/config/load.js';
import type { SigningJwk } from '../../stack/config/signing-keys.js';
import { startStack, type RunningStack } from '../../stack/stack.js';

/** What a test needs to reach the throwaway stack (also passed to vitest workers). */
export interface TestStackInfo {
  apiUrl: string;
  dbUrl: string;
  dbPort: number;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  dataDir: string;
  inboxUrl: string;
  smtpPort: number;
}

export interface TestStack {
  stack: RunningStack;
  info: TestStackInfo;
  stop: () => Promise<void>;
}

export interface TestStackOptions {
  /**
   * Start the stack with these JWKs in `[auth] signing_keys_path` (the first signs): the project
   * is served from a temporary copy of supabase/ whose config.toml names the key file, as a
   * project set up with `supabase gen signing-key` would.
   */
  signingKeys?: SigningJwk[];
}

/** A copy of the project's supabase/ (functions/ linked) whose [auth] reads signing_keys.json. */
function projectWithSigningKeys(keys: SigningJwk[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'agora-keys-project-'));
  cpSync(path.join(PROJECT_ROOT, 'supabase'), path.join(root, 'supabase'), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'functions'), path.join(root, 'functions'));
  writeFileSync(path.join(root, 'supabase', 'signing_keys.json'), JSON.stringify(keys, null, 2), { mode: 0o600 });
  const configFile = path.join(root, 'supabase', 'config.toml');
  const toml = readFileSync(configFile, 'utf8');
  if (!/^\[auth\]$/m.test(toml)) throw new Error('supabase/config.toml has no [auth] table');
  // relative to supabase/, as the CLI resolves it
  writeFileSync(configFile, toml.replace(/^\[auth\]$/m, '[auth]\nsigning_keys_path = "./signing_keys.json"'));
  return root;
}

/** A stack on a temporary data dir and free ports: never the developer's own data. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const rootDir = options.signingKeys ? projectWithSigningKeys(options.signingKeys) : undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-test-'));
  chmodSync(dataDir, 0o755); // Postgres may run as another user and must reach it
  const [apiPort, dbPort, inboxPort, smtpPort] = [await getPort(), await getPort(), await getPort(), await getPort()];
  // the REST conformance suite's fixture lives in its own schema, exposed only on test stacks
  process.env.AGORA_API_EXTRA_SCHEMAS ??= 'rest_test';
  const stack = await startStack({ rootDir, dataDir, apiPort, dbPort, inboxPort, smtpPort, seed: false });
  const info: TestStackInfo = {
    apiUrl: stack.urls.api,
    dbUrl: stack.urls.db,
    dbPort,
    anonKey: stack.config.anonKey,
    serviceRoleKey: stack.config.serviceRoleKey,
    jwtSecret: stack.config.jwtSecret,
    dataDir,
    inboxUrl: stack.urls.inbox,
    smtpPort,
  };
  return {
    stack,
    info,
    stop: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (rootDir) rmSync(rootDir, { recursive: true, force: true });
    },
  };
}

export async function installPgtap(dbUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query('create extension if not exists pgtap with schema extensions');
    await client.query(readFileSync(path.join(PROJECT_ROOT, 'tests', 'db', 'support', 'helpers.sql'), 'utf8'));
  } finally {
    await client.end();
  }
}
