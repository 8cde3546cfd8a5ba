import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, mimeTypesFor, type UploadKind } from '../../functions/media/limits.js';
import { loadConfig, PROJECT_ROOT } from '../../stack/config/load.js';
import { splitStatements } from '../../stack/db/sql-script.js';
import { parseFileSize } from '../../stack/storage/limits.js';
import { stack } from '../support/env.js';

// The buckets' limits are written down three times: the migrations (the source, what `db push`
// deploys), config.toml's [storage.buckets.*] (what `supabase start` and `seed buckets` apply over
// them) and the media function's constants (its early refusal). They must say the same.

interface Limits {
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

const sorted = (l: Limits): Limits => ({ ...l, allowed_mime_types: l.allowed_mime_types ? [...l.allowed_mime_types].sort() : null });
const byName = (rows: Array<Limits & { id: string }>) =>
  Object.fromEntries(rows.map(({ id, ...l }) => [id, sorted({ ...l, file_size_limit: l.file_size_limit === null ? null : Number(l.file_size_limit) })]));

/** [storage.buckets.*] as the CLI reads it. */
function configBuckets(): Record<string, Limits> {
  const buckets = ((loadConfig({}, {}, { readSigningKeys: false }).raw.storage ?? {}) as { buckets?: Record<string, Record<string, unknown>> }).buckets ?? {};
  return Object.fromEntries(Object.entries(buckets).map(([name, b]) => [name, sorted({
    public: b.public === true,
    file_size_limit: parseFileSize(b.file_size_limit),
    allowed_mime_types: Array.isArray(b.allowed_mime_types) ? b.allowed_mime_types.map(String) : null,
  })]));
}

// Every statement of the migrations that writes storage.buckets, in the order they are applied.
const WRITES_BUCKETS = /^(insert\s+into|update)\s+storage\.buckets\b/i;
function bucketStatements(): string[] {
  const dir = path.join(PROJECT_ROOT, 'supabase', 'migrations');
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().flatMap((file) =>
    splitStatements(readFileSync(path.join(dir, file), 'utf8'))
      .map((s) => s.text.replace(/^(\s*--[^\n]*\n)*\s*/, ''))
      .filter((text) => WRITES_BUCKETS.test(text)));
}

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: stack().dbUrl.replace('//postgres:', '//supabase_admin:') });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
});

/** What the migrations alone leave in storage.buckets: their statements run on an empty copy of the table. */
async function migrationBuckets(): Promise<Record<string, Limits>> {
  const statements = bucketStatements();
  expect(statements.length).toBeGreaterThan(0);
  await client.query('begin');
  try {
    await client.query('create temp table buckets_from_migrations (like storage.buckets including defaults including indexes) on commit drop');
    for (const text of statements) await client.query(text.replace(/storage\.buckets\b/i, 'pg_temp.buckets_from_migrations'));
    const { rows } = await client.query('select id, public, file_size_limit, allowed_mime_types from pg_temp.buckets_from_migrations');
    return byName(rows);
  } finally {
    await client.query('rollback');
  }
}

describe("the buckets' limits", () => {
  it('are the same in config.toml as the migrations set them', async () => {
    const fromConfig = configBuckets();
    expect(Object.keys(fromConfig).length).toBeGreaterThan(0);
    expect(fromConfig).toEqual(await migrationBuckets());
  });

  it('are what the running stack has in storage.buckets', async () => {
    const fromMigrations = await migrationBuckets();
    const { rows } = await client.query('select id, public, file_size_limit, allowed_mime_types from storage.buckets where id = any($1)', [Object.keys(fromMigrations)]);
    expect(byName(rows)).toEqual(fromMigrations);
  });

  it("are the media function's: each upload's bucket, size and media types", async () => {
    const fromMigrations = await migrationBuckets();
    for (const upload of Object.keys(LIMITS) as UploadKind[]) {
      const { bucket, maxBytes } = LIMITS[upload];
      expect(fromMigrations[bucket], `bucket ${bucket}`).toBeDefined();
      expect({ bucket, maxBytes, types: mimeTypesFor(upload).sort() }).toEqual({
        bucket, maxBytes: fromMigrations[bucket].file_size_limit, types: fromMigrations[bucket].allowed_mime_types,
      });
    }
  });
});
