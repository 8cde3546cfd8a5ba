import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import type { OpenAPIV3 } from 'openapi-types';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthApp } from '../../stack/auth/app.js';
import { authDeps } from '../../stack/auth/service.js';
import { loadAuthSettings } from '../../stack/auth/settings.js';
import { loadConfig } from '../../stack/config/load.js';
import type { MailSender } from '../../stack/mail/sender.js';
import { storageSettings } from '../../stack/config/storage.js';
import { authPaths } from '../../stack/docs/auth-paths.js';
import { storagePaths } from '../../stack/docs/storage-paths.js';
import { BlobStore } from '../../stack/storage/blobs.js';
import { storageApp } from '../../stack/storage/service.js';

// The project's own config.toml (image transformations on, so the render routes are mounted).
const config = loadConfig({ rootDir: process.cwd() }, {});
// Pools that are never connected: building the apps runs no query.
const pool = new pg.Pool({ max: 1 });
const log = pino({ level: 'silent' });
const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-route-docs-'));
const closers: Array<() => void> = [];

afterAll(async () => {
  for (const close of closers) close();
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** `/object/:bucket/:path{.+}` under `/storage/v1` -> `GET /storage/v1/object/{bucket}/{path}`. */
function mounted(app: Hono, prefix: string): string[] {
  const routes = app.routes
    // `use('*')` middleware and the catch-all 404 are no endpoints
    .filter((r) => r.method !== 'ALL')
    .map((r) => `${r.method} ${prefix}${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`);
  return [...new Set(routes)].sort();
}

function documented(paths: OpenAPIV3.PathsObject): string[] {
  return Object.entries(paths)
    .flatMap(([p, item]) => METHODS.filter((m) => item?.[m]).map((m) => `${m.toUpperCase()} ${p}`))
    .sort();
}

describe('every mounted route is documented, and every documented route is mounted', () => {
  it('storage: each route of the app served under /storage/v1 has its operation in the OpenAPI paths', () => {
    expect(storageSettings(config).imageTransformation).toBe(true);
    const app = storageApp(
      { config, adminPool: pool, apiPool: pool, blobs: new BlobStore(path.join(dir, 'storage')), globalFileSizeLimit: 1024, log },
      (fn) => closers.push(fn),
    );
    // Hono routes HEAD through GET routes: the resumable status is a GET route that answers HEAD only.
    const routes = mounted(app as unknown as Hono, '/storage/v1')
      .map((r) => (r === 'GET /storage/v1/upload/resumable/{id}' ? 'HEAD /storage/v1/upload/resumable/{id}' : r))
      .sort();
    expect(routes.length).toBeGreaterThan(30);
    expect(documented(storagePaths)).toEqual(routes);
  });

  it('auth: each route of the app served under /auth/v1 has its operation in the OpenAPI paths', () => {
    // Building the app sends nothing; a sender that would fail says so.
    const mail: MailSender = { send: async () => Promise.reject(new Error('no mail in this test')), close: () => undefined };
    const app = createAuthApp(authDeps(loadAuthSettings(config), pool, mail, log));
    const routes = mounted(app, '/auth/v1');
    expect(routes.length).toBeGreaterThan(30);
    expect(documented(authPaths)).toEqual(routes);
  });
});
