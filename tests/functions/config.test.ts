import { describe, expect, it } from 'vitest';
import type { StackConfig } from '../../stack/config/load.js';
import { parseDotenv, settingsFrom } from '../../stack/functions/config.js';

function config(raw: Record<string, unknown>): StackConfig {
  return {
    projectId: 'agora',
    rootDir: '/nowhere',
    supabaseDir: '/nowhere/supabase',
    dataDir: '/nowhere/.agora',
    api: { port: 4000, schemas: ['public'], extraSearchPath: [], maxRows: null },
    db: { port: 4001, majorVersion: 17, seedEnabled: false, seedPaths: [], schemaPaths: [] },
    inbox: { port: 4002, smtpPort: 4003 },
    jwtSecret: 'x'.repeat(40),
    anonKey: 'anon-key',
    serviceRoleKey: 'service-key',
    raw,
  };
}

describe('functions settings from config.toml', () => {
  it('verify_jwt defaults to true and follows [functions.<name>]; enabled = false hides a function', () => {
    const s = settingsFrom(config({ functions: { open: { verify_jwt: false }, off: { enabled: false } } }));
    expect(s.verifyJwt('media')).toBe(true);
    expect(s.verifyJwt('open')).toBe(false);
    expect(s.enabled('off')).toBe(false);
    expect(s.enabled('media')).toBe(true);
  });

  it('injects the SUPABASE_* variables, the site URL, the inbox and [edge_runtime.secrets]', () => {
    const s = settingsFrom(config({ auth: { site_url: '' }, edge_runtime: { secrets: { API_TOKEN: 'abc', SUPABASE_URL: 'spoofed' } } }));
    expect(s.env).toMatchObject({
      SUPABASE_URL: 'http://127.0.0.1:4000',
      SUPABASE_ANON_KEY: 'anon-key',
      SUPABASE_SERVICE_ROLE_KEY: 'service-key',
      SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:4001/postgres',
      SITE_URL: 'http://127.0.0.1:3000',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '4003',
      API_TOKEN: 'abc',
    });
  });

  it('reads KEY=value lines from a functions/.env file', () => {
    expect(parseDotenv('# comment\nA=1\nexport B="two words"\nC=\'x\'\nnot a line\n')).toEqual({ A: '1', B: 'two words', C: 'x' });
  });
});
