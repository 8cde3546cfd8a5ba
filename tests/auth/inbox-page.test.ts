import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, ensureChromium } from '../ops/support/chromium.js';
import { stack } from '../support/env.js';
import { anonClient, uniqueEmail, waitForMail } from './support.js';

describe('the inbox page in a browser', () => {
  let context: BrowserContext;
  let profile: string;
  beforeAll(async () => {
    const executablePath = ensureChromium();
    profile = mkdtempSync(path.join(os.tmpdir(), 'agora-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1200, height: 800 } });
  }, 900_000); // the first run on a fresh machine installs chromium with apt-get
  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('lists a password-reset mail and shows it, link included, when clicked', async () => {
    const email = uniqueEmail('page');
    await anonClient().auth.signUp({ email, password: 'page-pass-1' });
    await anonClient().auth.resetPasswordForEmail(email);
    await waitForMail(stack().inboxUrl, email);

    const page = await context.newPage();
    await page.goto(`${stack().inboxUrl}/`);
    const item = page.locator('.item', { hasText: email });
    await item.first().waitFor({ timeout: 10_000 });
    await item.first().click();
    await page.locator('#view h2', { hasText: 'Reset Your Password' }).waitFor({ timeout: 10_000 });
    const frame = page.frameLocator('#view iframe');
    const href = await frame.locator('a', { hasText: 'Reset Password' }).getAttribute('href');
    expect(href).toContain('/auth/v1/verify?token=');
    expect(href).toContain('type=recovery');
    const shots = path.join(process.cwd(), 'coverage', 'screenshots');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'inbox.png') });
    await page.close();
  });
});
