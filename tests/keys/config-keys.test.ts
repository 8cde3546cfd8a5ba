import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../stack/config/load.js';
import { generateSigningKey } from '../../stack/config/signing-keys.js';
import { runCli } from '../support/cli.js';
import { LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY } from './support.js';

// [auth] publishable_key / secret_key and signing_keys_path as the CLI reads them
// (supabase/cli pkg/config/auth.go, apikeys.go; config.go resolves signing_keys_path against
// supabase/), and `npm run keys:new` as `supabase gen signing-key` (internal/gen/signingkeys).

function projectWith(toml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-keys-cfg-'));
  mkdirSync(path.join(dir, 'supabase'));
  writeFileSync(path.join(dir, 'supabase', 'config.toml'), toml);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'supabase', name), text);
  return dir;
}

describe('API keys in config.toml', () => {
  it('default to the CLI\'s fixed local publishable and secret keys', () => {
    const config = loadConfig({ rootDir: projectWith('[auth]\n') }, {});
    expect(config.publishableKey).toBe('sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH');
    expect(config.secretKey).toBe('sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz');
    expect([LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY]).toEqual([config.publishableKey, config.secretKey]);
    expect(config.signingKeys).toEqual([]);
  });

  it('take the project\'s own keys, env(VAR) included', () => {
    const config = loadConfig({ rootDir: projectWith('[auth]\npublishable_key = "sb_publishable_mine"\nsecret_key = "env(MY_SECRET_KEY)"\n') }, { MY_SECRET_KEY: 'sb_secret_mine' });
    expect([config.publishableKey, config.secretKey]).toEqual(['sb_publishable_mine', 'sb_secret_mine']);
  });
});

describe('[auth] signing_keys_path', () => {
  it('reads the JWK array relative to supabase/', () => {
    const keys = [generateSigningKey('ES256'), generateSigningKey('RS256')];
    const dir = projectWith('[auth]\nsigning_keys_path = "./keys/signing.json"\n');
    mkdirSync(path.join(dir, 'supabase', 'keys'));
    writeFileSync(path.join(dir, 'supabase', 'keys', 'signing.json'), JSON.stringify(keys));
    expect(loadConfig({ rootDir: dir }, {}).signingKeys).toEqual(keys);
  });

  it('refuses a missing, malformed or unusable key file with one clear message', () => {
    const load = (json: string | null) => () => loadConfig({ rootDir: projectWith('[auth]\nsigning_keys_path = "./k.json"\n', json === null ? {} : { 'k.json': json }) }, {});
    expect(load(null)).toThrow(/signing_keys_path: cannot read .*k\.json/);
    expect(load('{not json')).toThrow(/signing_keys_path: .*k\.json is not JSON/);
    expect(load('[{"kty":"oct","k":"abc"}]')).toThrow(/signing_keys_path: .*kty/);
    const { d: _d, ...publicOnly } = generateSigningKey('ES256') as Record<string, unknown>;
    expect(load(JSON.stringify([publicOnly]))).toThrow(/the first key signs, so it needs its private part/);
    const key = generateSigningKey('ES256');
    expect(load(JSON.stringify([key, { ...generateSigningKey('RS256'), kid: key.kid }]))).toThrow(/two keys share a kid/);
  });
});

describe('npm run keys:new', () => {
  it('prints one private ES256 JWK in the CLI\'s shape when no signing_keys_path is set', async () => {
    const run = await runCli('keys-new', { AGORA_WORKDIR: projectWith('[auth]\n') });
    expect(run.code).toBe(0);
    const jwk = JSON.parse(run.stdout);
    expect(Object.keys(jwk)).toEqual(['kty', 'kid', 'use', 'key_ops', 'alg', 'ext', 'd', 'crv', 'x', 'y']);
    expect(jwk).toMatchObject({ kty: 'EC', use: 'sig', key_ops: ['sign', 'verify'], alg: 'ES256', ext: true, crv: 'P-256' });
    expect(jwk.kid).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stderr).toContain('signing_keys_path = "./signing_keys.json"');
  });

  it('writes the file named by signing_keys_path (0600), RS256 on request, and appends with --append', async () => {
    const dir = projectWith('[auth]\nsigning_keys_path = "./signing_keys.json"\n');
    const file = path.join(dir, 'supabase', 'signing_keys.json');
    const first = await runCli('keys-new', { AGORA_WORKDIR: dir });
    expect(first.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const refused = await runCli('keys-new', { AGORA_WORKDIR: dir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/already holds keys: pass --append/);
    // npm run keys:new -- --algorithm RS256 --append
    const child = await runCliWithArgs(dir, ['--algorithm', 'RS256', '--append']);
    expect(child.code).toBe(0);
    const keys = JSON.parse(readFileSync(file, 'utf8'));
    expect(keys.map((k: { alg: string }) => k.alg)).toEqual(['ES256', 'RS256']);
    expect(Object.keys(keys[1])).toEqual(['kty', 'kid', 'use', 'key_ops', 'alg', 'ext', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']);
    // and the stack's configuration reads it back
    expect(loadConfig({ rootDir: dir }, {}).signingKeys).toEqual(keys);
  });
});

async function runCliWithArgs(dir: string, args: string[]) {
  const { spawn } = await import('node:child_process');
  const { PROJECT_ROOT } = await import('../../stack/config/load.js');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'stack', 'cli', 'keys-new.ts'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AGORA_WORKDIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}
