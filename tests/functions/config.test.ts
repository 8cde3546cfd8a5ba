import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackConfig } from '../../stack/config/load.js';
import { listFunctions, parseDotenv, settingsFrom } from '../../stack/functions/config.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A project folder with the given files. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'agora-fnconfig-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

function config(raw: Record<string, unknown>, rootDir = '/nowhere'): StackConfig {
  return {
    projectId: 'agora',
    rootDir,
    supabaseDir: path.join(rootDir, 'supabase'),
    dataDir: '/nowhere/.agora',
    api: { port: 4000, schemas: ['public'], extraSchemas: [], extraSearchPath: [], maxRows: null },
    db: { port: 4001, majorVersion: 17, seedEnabled: false, seedPaths: [], schemaPaths: [], password: 'postgres' },
    inbox: { port: 4002, smtpPort: 4003 },
    jwtSecret: 'x'.repeat(40),
    anonKey: 'anon-key',
    serviceRoleKey: 'service-key',
    publishableKey: 'sb_publishable_test',
    secretKey: 'sb_secret_test',
    signingKeys: [],
    bodyLimits: { rest: 1, auth: 1, storage: 1, functions: 1, realtime: 1 },
    pools: { rest: 1, storage: 1, realtime: 1, auth: 1, acquireTimeoutMs: 1 },
    realtime: { lingerMs: 1 },
    functions: { wallclockLimitSec: null },
    raw,
  };
}

describe('functions settings from config.toml', () => {
  it('verify_jwt defaults to true and follows [functions.<name>]; enabled = false hides a function', () => {
    const root = project({
      'supabase/functions/plain/index.ts': '', 'supabase/functions/open/index.ts': '', 'supabase/functions/off/index.ts': '',
    });
    const s = settingsFrom(config({ functions: { open: { verify_jwt: false }, off: { enabled: false } } }, root), 4003);
    expect(s.find('plain')?.verifyJwt).toBe(true);
    expect(s.find('open')?.verifyJwt).toBe(false);
    expect(s.find('off')).toBeNull();
    expect(s.find('missing')).toBeNull();
  });

  it('finds functions as the CLI does: supabase/functions/<name>/index.ts, or entrypoint/import_map/static_files relative to supabase/', () => {
    const root = project({
      'supabase/functions/plain/index.ts': '',
      'supabase/functions/plain/deno.json': '{}',
      'supabase/functions/legacy/index.ts': '',
      'supabase/functions/import_map.json': '{}',
      'supabase/functions/_shared/index.ts': '',
      'supabase/functions/.hidden/index.ts': '',
      'functions/elsewhere/index.ts': '',
      'functions/deno.json': '{}',
    });
    const declared = {
      elsewhere: { entrypoint: '../functions/elsewhere/index.ts', import_map: '../functions/deno.json', static_files: ['./assets/*.html'] },
      ghost: { entrypoint: '../functions/ghost/index.ts' },
    };
    const s = settingsFrom(config({ functions: declared }, root), 4003);
    expect(s.find('plain')).toEqual({
      name: 'plain', entrypoint: path.join(root, 'supabase/functions/plain/index.ts'),
      importMap: path.join(root, 'supabase/functions/plain/deno.json'), staticFiles: [], verifyJwt: true,
    });
    expect(s.find('legacy')?.importMap).toBe(path.join(root, 'supabase/functions/import_map.json'));
    expect(s.find('elsewhere')).toEqual({
      name: 'elsewhere', entrypoint: path.join(root, 'functions/elsewhere/index.ts'),
      importMap: path.join(root, 'functions/deno.json'), staticFiles: [path.join(root, 'supabase/assets/*.html')], verifyJwt: true,
    });
    expect(s.find('_shared')).toBeNull();
    expect(s.find('.hidden')).toBeNull();
    expect(s.find('ghost')).toBeNull();
    expect(s.find('../functions/elsewhere')).toBeNull();
    expect(listFunctions(path.join(root, 'supabase'), declared).map((f) => f.name)).toEqual(['elsewhere', 'legacy', 'plain']);
  });

  it('reads supabase/functions/.env as `supabase functions serve` does; the SUPABASE_* variables stay the stack\'s', () => {
    const root = project({ 'supabase/functions/.env': 'GREETING=hello\nSUPABASE_URL=http://evil\n' });
    const s = settingsFrom(config({}, root), 4003);
    expect(s.env.GREETING).toBe('hello');
    expect(s.env.SUPABASE_URL).toBe('http://127.0.0.1:4000');
  });

  it('injects the SUPABASE_* variables, the site URL, the inbox and [edge_runtime.secrets]', () => {
    const s = settingsFrom(config({ auth: { site_url: '' }, edge_runtime: { secrets: { API_TOKEN: 'abc', SUPABASE_URL: 'spoofed' } } }), 4009);
    expect(s.env).toMatchObject({
      SUPABASE_URL: 'http://127.0.0.1:4000',
      SUPABASE_ANON_KEY: 'anon-key',
      SUPABASE_SERVICE_ROLE_KEY: 'service-key',
      SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:4001/postgres',
      SITE_URL: 'http://127.0.0.1:3000',
      SMTP_HOST: '127.0.0.1',
      // the port the inbox took, not the configured one
      SMTP_PORT: '4009',
      API_TOKEN: 'abc',
      // the CLI's relay gives workers the new keys as JSON objects of named keys (functions serve main.ts)
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: 'sb_publishable_test' }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: 'sb_secret_test' }),
    });
  });

  it('gives no SMTP address when the stack runs no inbox', () => {
    const s = settingsFrom(config({}), null);
    expect(s.env.SMTP_PORT).toBeUndefined();
    expect(s.env.SMTP_HOST).toBeUndefined();
  });

  it('reads KEY=value lines from a .env file', () => {
    expect(parseDotenv('# comment\nA=1\nexport B="two words"\nC=\'x\'\nnot a line\n')).toEqual({ A: '1', B: 'two words', C: 'x' });
  });
});
