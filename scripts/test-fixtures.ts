// npm run test:fixtures: builds the platform SQL and the migrations in a throwaway cluster, loads
// tests/rest/fixture.sql and saves its catalog as tests/rest/fixtures/schema-cache.json, from which
// the planner's unit tests build their schema cache without a database. Run it after changing
// fixture.sql or the schema cache's catalog queries (a test fails until you do).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { dbUrl, loadConfig } from '../stack/config/load.js';
import { bootstrapDatabase } from '../stack/db/bootstrap.js';
import { clusterFor } from '../stack/stack.js';
import { FIXTURE_FILE, fixtureFileText, readFixtureCatalog } from '../tests/rest/schema-cache-fixture.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-fixtures-'));
const config = loadConfig({ dataDir, dbPort: await getPort() });
const cluster = clusterFor(config);
try {
  await cluster.init();
  await cluster.start();
  await bootstrapDatabase(config, { seed: false });
  const catalog = await readFixtureCatalog(dbUrl(config));
  mkdirSync(path.dirname(FIXTURE_FILE), { recursive: true });
  writeFileSync(FIXTURE_FILE, fixtureFileText(catalog));
  process.stdout.write(`wrote ${path.relative(process.cwd(), FIXTURE_FILE)}\n`);
} catch (err) {
  process.stderr.write(`npm run test:fixtures failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await cluster.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}
