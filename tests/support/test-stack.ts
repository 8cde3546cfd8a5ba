import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import pg from 'pg';
import { PROJECT_ROOT } from '../../stack/config/load.js';
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

/** A stack on a temporary data dir and free ports: never the developer's own data. */
export async function startTestStack(): Promise<TestStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-test-'));
  chmodSync(dataDir, 0o755); // Postgres may run as another user and must reach it
  const [apiPort, dbPort, inboxPort, smtpPort] = [await getPort(), await getPort(), await getPort(), await getPort()];
  // the REST conformance suite's fixture lives in its own schema, exposed only on test stacks
  process.env.AGORA_API_EXTRA_SCHEMAS ??= 'rest_test';
  const stack = await startStack({ dataDir, apiPort, dbPort, inboxPort, smtpPort, seed: false });
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
