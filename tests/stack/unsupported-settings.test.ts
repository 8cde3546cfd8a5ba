import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../stack/config/load.js';
import { unsupportedSettings } from '../../stack/config/unsupported.js';

describe('config.toml settings the stack does not honour', () => {
  it('are each reported in one line naming the section, the key, the value and what is missing', () => {
    const lines = unsupportedSettings({
      raw: {
        storage: { s3_protocol: { enabled: true }, image_transformation: { enabled: false }, buckets: { 'my files': { objects_path: './x' } } },
        auth: { external: { github: { enabled: true }, google: { enabled: false } }, mfa: { totp: { enroll_enabled: true } } },
        db: { pooler: { enabled: true }, major_version: 15, migrations: { schema_paths: [] }, vault: {} },
        edge_runtime: { deno_version: 1 },
      },
    });
    expect(lines).toEqual([
      '[db] major_version = 15: the embedded Postgres is version 17',
      '[db.pooler] enabled = true: no connection pooler (Supavisor) is served; connect to Postgres directly',
      '[storage.s3_protocol] enabled = true: the S3 protocol is not served locally',
      '[storage.buckets."my files"] objects_path = "./x": bucket objects are not uploaded from a folder at start',
      '[auth.external.github] enabled = true: OAuth sign-in with this provider is not served locally',
      '[edge_runtime] deno_version = 1: functions run on Deno 2',
    ]);
  });

  it('include the S3 protocol and vector buckets our own config.toml enables, and nothing it sets that is honoured', () => {
    expect(unsupportedSettings(loadConfig())).toEqual([
      '[storage.s3_protocol] enabled = true: the S3 protocol is not served locally',
      '[storage.vector] enabled = true: vector buckets are not served locally',
    ]);
  });
});
