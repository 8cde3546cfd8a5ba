import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, ensureChromium } from '../ops/support/chromium.js';
import { stack } from '../support/env.js';
import { serviceClient } from './support.js';

// Each document announces itself three ways if its script runs: a console line, a request to a
// marker path on the API origin, and a changed title.
const MARK = 'agora-script-ran';
const SCRIPT = `console.log('${MARK}');fetch('/${MARK}').catch(()=>{});document.title='${MARK}';`;
const DOCUMENTS = {
  'page.svg': { type: 'image/svg+xml', body: `<svg xmlns="http://www.w3.org/2000/svg"><script>${SCRIPT}</script><text y="20">svg</text></svg>` },
  'page.xhtml': { type: 'application/xhtml+xml', body: `<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body><script>${SCRIPT}</script>xhtml</body></html>` },
  'page.html': { type: 'Text/HTML', body: `<!doctype html><title>x</title><script>${SCRIPT}</script>html` },
  'page.xml': { type: 'text/xml; charset=utf-8', body: `<x:script xmlns:x="http://www.w3.org/1999/xhtml">${SCRIPT}</x:script>` },
} as const;

describe('stored documents never run script on the API origin in a real browser', () => {
  let context: BrowserContext;
  let profile: string;
  const bucket = `active-${randomBytes(4).toString('hex')}`;
  const api = () => stack().apiUrl;

  beforeAll(async () => {
    const admin = serviceClient();
    expect((await admin.storage.createBucket(bucket, { public: true })).error).toBeNull();
    for (const [name, doc] of Object.entries(DOCUMENTS)) {
      const up = await fetch(`${api()}/storage/v1/object/${bucket}/${name}`, {
        method: 'POST', headers: { Authorization: `Bearer ${stack().serviceRoleKey}`, 'content-type': doc.type }, body: doc.body,
      });
      expect(up.status).toBe(200);
    }
    profile = mkdtempSync(path.join(os.tmpdir(), 'agora-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: ensureChromium(), headless: true, args: CHROMIUM_FLAGS });
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens `url` in a fresh tab and reports whether any sign of the script showed up. */
  async function scriptRan(url: string, headers: Record<string, string> = {}): Promise<{ ran: boolean; status: number | undefined }> {
    const page: Page = await context.newPage();
    let ran = false;
    page.on('console', (m) => { if (m.text().includes(MARK)) ran = true; });
    page.on('request', (r) => { if (r.url().includes(MARK)) ran = true; });
    try {
      await page.setExtraHTTPHeaders(headers);
      const res = await page.goto(url, { waitUntil: 'load' });
      await page.waitForTimeout(300);
      if ((await page.title()) === MARK) ran = true;
      return { ran, status: res?.status() };
    } finally {
      await page.close();
    }
  }

  it('the check itself sees a script run when the same document is served without the guards', async () => {
    const page = await context.newPage();
    await page.route(`${api()}/control/**`, (route) => {
      const name = route.request().url().split('/').pop()! as keyof typeof DOCUMENTS;
      return route.fulfill({ status: 200, contentType: DOCUMENTS[name].type, body: DOCUMENTS[name].body });
    });
    let ran = 0;
    page.on('console', (m) => { if (m.text().includes(MARK)) ran++; });
    for (const name of ['page.svg', 'page.xhtml', 'page.html'] as const) {
      await page.goto(`${api()}/control/${name}`);
      await expect.poll(() => ran).toBeGreaterThan(0);
      ran = 0;
    }
    await page.close();
  });

  for (const name of Object.keys(DOCUMENTS) as Array<keyof typeof DOCUMENTS>) {
    it(`${name} (${DOCUMENTS[name].type}) runs nothing through the public, authenticated and signed URLs`, async () => {
      const pub = await scriptRan(`${api()}/storage/v1/object/public/${bucket}/${name}`);
      expect(pub).toEqual({ ran: false, status: 200 });
      const auth = await scriptRan(`${api()}/storage/v1/object/authenticated/${bucket}/${name}`, { Authorization: `Bearer ${stack().serviceRoleKey}` });
      expect(auth).toEqual({ ran: false, status: 200 });
      const signed = await serviceClient().storage.from(bucket).createSignedUrl(name, 60);
      expect(signed.error).toBeNull();
      expect(await scriptRan(signed.data!.signedUrl)).toEqual({ ran: false, status: 200 });
    });
  }

  it('every object carries nosniff; HTML in any case goes out as text/plain, SVG/XHTML/XML with a sandbox CSP', async () => {
    const head = (name: string) => fetch(`${api()}/storage/v1/object/public/${bucket}/${name}`);
    const html = await head('page.html');
    expect(html.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const name of ['page.svg', 'page.xhtml', 'page.xml']) {
      const res = await head(name);
      expect(res.headers.get('content-security-policy')).toBe('sandbox');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const png = await fetch(`${api()}/storage/v1/object/public/avatars/none.png`);
    expect(png.status).toBe(400);
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
