// npm run types: applies the migrations to a throwaway database and writes types/database.ts
// from it with Supabase's generator, so the types follow supabase/migrations and nothing else.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { dbUrl, loadConfig } from '../stack/config/load.js';
import { bootstrapDatabase } from '../stack/db/bootstrap.js';
import { clusterFor } from '../stack/stack.js';
import { generateTypes, TYPES_FILE } from './generate.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-types-'));
const config = loadConfig({ dataDir, dbPort: await getPort() });
const cluster = clusterFor(config);
try {
  await cluster.init();
  await cluster.start();
  await bootstrapDatabase(config, { seed: false });
  const types = await generateTypes(dbUrl(config), config.api.schemas);
  writeFileSync(TYPES_FILE, types);
  process.stdout.write(`wrote ${path.relative(process.cwd(), TYPES_FILE)} (${config.api.schemas.join(', ')})\n`);
} catch (err) {
  process.stderr.write(`npm run types failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await cluster.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
