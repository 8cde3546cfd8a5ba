// The REST fixture schema's catalog, saved as JSON so the planner's tests build their schema cache
// without a database. `npm run test:fixtures` writes it; tests/rest/schema-cache-fixture.test.ts
// fails when it no longer matches fixture.sql and the catalog queries.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildSchemaCache, readSchemaCatalog, type SchemaCache, type SchemaCatalog } from '../../stack/rest/schema-cache.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE_FILE = path.join(HERE, 'fixtures', 'schema-cache.json');
/** Only the fixture's own schema: the app's migrations must not make the fixture stale. */
export const FIXTURE_SCHEMAS = ['rest_test'];

interface FixtureFile {
  generatedBy: string;
  schemas: string[];
  catalog: SchemaCatalog;
}

/** Loads fixture.sql into the database at `dbUrl` (platform SQL applied) and reads its catalog. */
export async function readFixtureCatalog(dbUrl: string): Promise<SchemaCatalog> {
  // a pool: the catalog queries are sent together
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  try {
    await pool.query('drop schema if exists rest_test cascade');
    await pool.query(readFileSync(path.join(HERE, 'fixture.sql'), 'utf8'));
    return await readSchemaCatalog(pool, FIXTURE_SCHEMAS);
  } finally {
    await pool.end();
  }
}

export function fixtureFileText(catalog: SchemaCatalog): string {
  const file: FixtureFile = { generatedBy: 'npm run test:fixtures (from tests/rest/fixture.sql)', schemas: FIXTURE_SCHEMAS, catalog };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** The schema cache built, by the stack's own builder, from the saved catalog. */
export function fixtureSchemaCache(): SchemaCache {
  const file = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as FixtureFile;
  return buildSchemaCache(file.schemas, file.catalog);
}

/**
 * A cache as plain data for comparison. The catalog queries return rows in no set order, so
 * maps and lists of records (relationships, overloads, unique keys) are compared as sets; lists
 * of names and values (a key's columns, enum labels) keep their order. Oids never reach the cache.
 */
export function comparableCache(cache: SchemaCache): unknown {
  const text = (v: unknown) => JSON.stringify(v);
  const plain = (v: unknown): unknown => {
    if (v instanceof Map) return plain(Object.fromEntries(v));
    if (Array.isArray(v)) {
      const items = v.map(plain);
      return items.some((x) => x !== null && typeof x === 'object') ? items.sort((a, b) => (text(a) < text(b) ? -1 : 1)) : items;
    }
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  return plain(cache);
}
