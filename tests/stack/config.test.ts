import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, roleDbUrl } from '../../stack/config/load.js';

const CLI_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
const CLI_SERVICE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

function projectWith(toml: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-cfg-'));
  mkdirSync(path.join(dir, 'supabase'));
  writeFileSync(path.join(dir, 'supabase', 'config.toml'), toml);
  return dir;
}

describe('supabase/config.toml', () => {
  it('gives the Supabase CLI\'s ports and its well-known local keys', () => {
    const config = loadConfig({}, {});
    expect(config.api.port).toBe(54321);
    expect(config.db.port).toBe(54322);
    expect(config.inbox.port).toBe(54324);
    expect(config.jwtSecret).toBe('super-secret-jwt-token-with-at-least-32-characters-long');
    expect(config.anonKey).toBe(CLI_ANON_KEY);
    expect(config.serviceRoleKey).toBe(CLI_SERVICE_KEY);
    expect(config.api.schemas).toEqual(['public', 'graphql_public']);
  });

  it('lets AGORA_* environment variables override the ports and the data dir', () => {
    const config = loadConfig({}, { AGORA_API_PORT: '6001', AGORA_DB_PORT: '6002', AGORA_INBOX_PORT: '6003', AGORA_DATA_DIR: '/tmp/x' });
    expect([config.api.port, config.db.port, config.inbox.port, config.dataDir]).toEqual([6001, 6002, 6003, '/tmp/x']);
  });

  it('resolves env(VAR) references as the CLI does and signs the keys with a custom secret', () => {
    const dir = projectWith('[auth]\njwt_secret = "env(MY_SECRET)"\nsite_url = "env(SITE)"\n');
    const config = loadConfig({ rootDir: dir }, { MY_SECRET: 'x'.repeat(40), SITE: 'https://agora.example' });
    expect(config.jwtSecret).toBe('x'.repeat(40));
    expect((config.raw.auth as Record<string, unknown>).site_url).toBe('https://agora.example');
    expect(config.anonKey).not.toBe(CLI_ANON_KEY);
  });

  it('rejects a bad port and a short secret with one clear message', () => {
    expect(() => loadConfig({}, { AGORA_API_PORT: 'eighty' })).toThrow(/invalid port "eighty" in AGORA_API_PORT/);
    const dir = projectWith('[auth]\njwt_secret = "short"\n');
    expect(() => loadConfig({ rootDir: dir }, {})).toThrow(/at least 32 characters/);
  });

  it('reads the services\' own AGORA_* variables, with their defaults when unset', () => {
    const unset = loadConfig({}, {});
    expect([unset.api.extraSchemas, unset.realtime.lingerMs, unset.functions.wallclockLimitSec]).toEqual([[], 10_000, null]);
    const set = loadConfig({}, { AGORA_API_EXTRA_SCHEMAS: ' rest_test, ,other ', AGORA_REALTIME_LINGER_MS: '0', AGORA_FUNCTIONS_WALLCLOCK_LIMIT_SEC: '5' });
    expect([set.api.extraSchemas, set.realtime.lingerMs, set.functions.wallclockLimitSec]).toEqual([['rest_test', 'other'], 0, 5]);
    expect(() => loadConfig({}, { AGORA_REALTIME_LINGER_MS: 'soon' })).toThrow(/invalid value "soon" in AGORA_REALTIME_LINGER_MS/);
  });

  it('gives every platform role the CLI\'s local database password, in the URLs too', () => {
    const config = loadConfig({}, {});
    expect(config.db.password).toBe('postgres');
    expect(new URL(roleDbUrl(config, 'supabase_auth_admin'))).toMatchObject({ username: 'supabase_auth_admin', password: 'postgres', port: '54322' });
  });

  it('names the file when config.toml is not valid TOML', () => {
    const dir = projectWith('[api\nport = 1');
    expect(() => loadConfig({ rootDir: dir }, {})).toThrow(/config\.toml/);
  });
});

describe('the Postgres binaries', () => {
  it('say plainly that `npm install` is needed when the package has no binaries', async () => {
    const { binariesIn } = await import('../../stack/postgres/binaries.js');
    const empty = mkdtempSync(path.join(os.tmpdir(), 'agora-nobin-'));
    expect(() => binariesIn(empty, null)).toThrow(/bin\/postgres is missing: run `npm install`/);
  });
});
