import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/config/load.js';
import { stack } from '../support/env.js';
import { CHROMIUM_FLAGS, ensureChromium } from './support/chromium.js';

// The screenshot outlives the throwaway stack's data dir: coverage/ is git-ignored.
const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'coverage', 'screenshots');

describe('the /docs page in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const requests: string[] = [];

  beforeAll(async () => {
    const executablePath = ensureChromium();
    profile = mkdtempSync(path.join(os.tmpdir(), 'agora-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${stack().apiUrl}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
  }, 900_000); // the first run on a fresh machine installs chromium with apt-get

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads Swagger UI from the stack itself, never from a CDN', async () => {
    expect(await page.title()).toBe('Agora API');
    await expect.poll(() => page.locator('.info .title').textContent()).toContain('Agora API');
    const origin = new URL(stack().apiUrl).origin;
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
  });

  it('lists the operations of every part of the backend', async () => {
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    const clean = paths.map((p) => p.replace(/\u200b/g, '').trim());
    for (const p of ['/auth/v1/signup', '/auth/v1/token', '/storage/v1/object/{bucket}/{path}', '/functions/v1/media', '/functions/v1/password-reset', '/health']) {
      expect(clean).toContain(p);
    }
    expect(clean.some((p) => p.startsWith('/rest/v1/'))).toBe(true);
    const doc = await (await fetch(`${stack().apiUrl}/docs/openapi.json`)).json();
    const operations = Object.values(doc.paths as Record<string, object>).flatMap((item) => Object.keys(item).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)));
    expect(paths.length).toBe(operations.length);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'docs.png') });
  });

  it('a "try it out" call of /health returns data from the local stack', async () => {
    const op = page.locator('#operations-Operations-health');
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain('200');
    const body = await op.locator('.live-responses-table .response-col_description .microlight').first().textContent();
    expect(JSON.parse(body ?? '{}')).toMatchObject({ status: 'healthy', components: { postgres: { status: 'up' } } });
    // The request went to this stack (no key: /health is open).
    const curl = await op.locator('.curl-command').textContent();
    expect(curl).toContain(`${stack().apiUrl}/health`);
    expect(curl).not.toContain('apikey');

  });

  it('a "try it out" call of a REST table sends the anon key and returns the rows from the local stack', async () => {
    const username = `docs_${randomBytes(4).toString('hex')}`;
    const db = new pg.Client({ connectionString: stack().dbUrl });
    await db.connect();
    try {
      await db.query('select tests.create_profile($1)', [username]);
    } finally {
      await db.end();
    }
    const op = page.locator('#operations-REST-rest_list_profiles');
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    await op.locator('tr[data-param-name="username"] input').fill(`eq.${username}`);
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain('200');
    const body = await op.locator('.live-responses-table .response-col_description .microlight').first().textContent();
    expect(JSON.parse(body ?? '[]')).toEqual([expect.objectContaining({ username })]);
    const curl = await op.locator('.curl-command').textContent();
    expect(curl).toContain(`${stack().apiUrl}/rest/v1/profiles?username=eq.${username}`);
    expect(curl).toContain(`apikey: ${stack().anonKey}`);
    expect(curl).toContain(`Authorization: Bearer ${stack().anonKey}`);

    await op.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'docs-try-it.png') });
  });
});
