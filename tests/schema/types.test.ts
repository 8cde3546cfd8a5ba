import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbUrl, loadConfig } from '../../stack/config/load.js';
import { bootstrapDatabase } from '../../stack/db/bootstrap.js';
import { generateTypes, TYPES_FILE } from '../../types/generate.js';
import { scratchDatabase, stack } from '../support/env.js';

describe('types/database.ts', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  const config = loadConfig({ dbPort: stack().dbPort, dataDir: stack().dataDir });

  beforeAll(async () => {
    db = await scratchDatabase('types');
    await bootstrapDatabase(config, { database: db.name, seed: false });
  });
  afterAll(async () => db?.drop());

  it('is what Supabase\'s generator writes for the migrations (else: npm run types)', async () => {
    const generated = await generateTypes(dbUrl(config, db.name), config.api.schemas);
    const committed = readFileSync(TYPES_FILE, 'utf8');
    expect(committed === generated, 'types/database.ts is stale: run `npm run types` and commit it').toBe(true);
  });

  it('describes the contract: tables, the feed and search functions', async () => {
    const committed = readFileSync(TYPES_FILE, 'utf8');
    for (const name of ['profiles:', 'posts:', 'follows:', 'likes:', 'comments:', 'notifications:', 'hashtags:', 'post_hashtags:',
      'feed:', 'liked_by_me:', 'search_profiles:', 'search_posts:', 'posts_by_hashtag:', 'trending_hashtags:', 'mark_notifications_read:', 'delete_account:']) {
      expect(committed, name).toContain(name);
    }
  });
});
