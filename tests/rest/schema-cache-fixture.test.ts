import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../stack/config/load.js';
import { bootstrapDatabase } from '../../stack/db/bootstrap.js';
import { buildSchemaCache } from '../../stack/rest/schema-cache.js';
import { scratchDatabase, stack } from '../support/env.js';
import { comparableCache, FIXTURE_SCHEMAS, fixtureSchemaCache, readFixtureCatalog } from './schema-cache-fixture.js';

// In a database of its own: other tests add and drop objects in the live rest_test schema.
describe('tests/rest/fixtures/schema-cache.json', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  const config = loadConfig({ dbPort: stack().dbPort, dataDir: stack().dataDir });

  beforeAll(async () => {
    db = await scratchDatabase('cache_fixture');
    await bootstrapDatabase(config, { database: db.name, seed: false });
  });
  afterAll(async () => db?.drop());

  it('builds the schema cache that fixture.sql gives in a live database (else: npm run test:fixtures)', async () => {
    const live = buildSchemaCache(FIXTURE_SCHEMAS, await readFixtureCatalog(db.url));
    // pgrst.* settings belong to the authenticator role, not to the fixture schema
    const saved = { ...fixtureSchemaCache(), db: live.db };
    expect(live.relations.size).toBeGreaterThan(10);
    expect(comparableCache(saved), 'tests/rest/fixtures/schema-cache.json is stale: run `npm run test:fixtures` and commit it')
      .toEqual(comparableCache(live));
  });
});
