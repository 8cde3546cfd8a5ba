import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../stack/config/load.js';
import { LOCAL_JWT_SECRET } from '../../stack/config/keys.js';

const configText = readFileSync(path.join(PROJECT_ROOT, 'supabase', 'config.toml'), 'utf8');
const toml = parse(configText) as Record<string, unknown>;
const envExample = readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');

/** Every string setting in the TOML tree, with its dotted key. */
function settings(node: unknown, prefix = ''): Array<[string, unknown]> {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    return Object.entries(node).flatMap(([k, v]) => settings(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, node]];
}

const ENV_REF = /^env\(([A-Za-z_][A-Za-z0-9_]*)\)$/;

describe('secrets and per-environment settings', () => {
  it('config.toml names every secret through env(VAR), never by value', () => {
    const secretish = settings(toml).filter(([k]) => /(secret|pass(word)?|token|api_key|access_key|secret_key)$/i.test(k.split('.').pop()!));
    expect(secretish.length).toBeGreaterThan(5);
    for (const [key, value] of secretish) {
      if (value === '' || typeof value !== 'string') continue; // empty: not configured
      expect(value, `${key} must be env(VAR)`).toMatch(ENV_REF);
    }
    expect(settings(toml)).toEqual(expect.arrayContaining([
      ['auth.jwt_secret', 'env(AGORA_JWT_SECRET)'],
      ['auth.site_url', 'env(AGORA_SITE_URL)'],
      ['auth.email.smtp.pass', 'env(AGORA_SMTP_PASS)'],
    ]));
  });

  it('.env.example lists every variable config.toml reads, with no values for secrets', () => {
    const referenced = settings(toml).flatMap(([, v]) => (typeof v === 'string' && ENV_REF.test(v) ? [ENV_REF.exec(v)![1]] : []));
    const listed = new Map(envExample.split('\n').filter((l) => /^#?\s*[A-Z][A-Z0-9_]*=/.test(l)).map((l) => {
      const [k, ...rest] = l.replace(/^#\s*/, '').split('=');
      return [k, rest.join('=')] as const;
    }));
    for (const name of new Set(referenced)) {
      expect(listed.has(name), `${name} missing from .env.example`).toBe(true);
      expect(listed.get(name), `${name} must have no value in .env.example`).toBe('');
    }
    expect(readFileSync(path.join(PROJECT_ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });

  it('the JWT secret and site URL come from the environment when set, local defaults otherwise', () => {
    const secret = 'production-secret-with-at-least-32-characters!';
    const prod = loadConfig({}, { AGORA_JWT_SECRET: secret, AGORA_SITE_URL: 'https://agora.example.com', AGORA_SMTP_PASS: 'hunter2' });
    const local = loadConfig({}, {});
    expect(prod.jwtSecret).toBe(secret);
    expect(prod.anonKey).not.toBe(local.anonKey);
    expect((prod.raw.auth as Record<string, unknown>).site_url).toBe('https://agora.example.com');
    expect(((prod.raw.auth as { email: { smtp: { pass: string } } }).email.smtp.pass)).toBe('hunter2');
    expect(local.jwtSecret).toBe(LOCAL_JWT_SECRET);
  });

  it('a JWT secret that is too short is refused at start with a clear message', () => {
    expect(() => loadConfig({}, { AGORA_JWT_SECRET: 'short' })).toThrow(/jwt_secret must be at least 32 characters/);
  });
});
