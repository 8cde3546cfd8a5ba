import type { StackConfig } from './load.js';

type Table = Record<string, unknown>;

interface Rule {
  /** Dotted path into config.toml; `*` matches any one key (a provider, a bucket...). */
  key: string;
  /** Whether this value asks for something the stack does not do. */
  when: (value: unknown) => boolean;
  /** What is missing locally, as the end of the reported line. */
  missing: string;
}

const on = (v: unknown) => v === true;
const off = (v: unknown) => v === false;
const nonEmpty = (v: unknown) =>
  Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v.trim() !== '' : v && typeof v === 'object' ? Object.keys(v).length > 0 : v != null;

/**
 * config.toml settings that `supabase start` (or the hosted platform) acts on and this stack does
 * not: each one set is reported at start, so nothing a project relies on is silently ignored.
 * Settings that only concern the CLI's own tooling (Studio, the analytics container, the shadow
 * database, pgdelta) are not listed: they change nothing a client or a migration sees.
 */
const RULES: Rule[] = [
  { key: 'api.enabled', when: off, missing: 'the REST API is served anyway' },
  { key: 'api.tls.enabled', when: on, missing: 'the API is served over plain HTTP only' },
  { key: 'db.major_version', when: (v) => v != null && Number(v) !== 17, missing: 'the embedded Postgres is version 17' },
  { key: 'db.pooler.enabled', when: on, missing: 'no connection pooler (Supavisor) is served; connect to Postgres directly' },
  { key: 'db.migrations.enabled', when: off, missing: 'migrations are applied anyway' },
  { key: 'db.vault', when: nonEmpty, missing: 'Supabase Vault is not available (no supabase_vault extension)' },
  { key: 'realtime.enabled', when: off, missing: 'Realtime is served anyway' },
  { key: 'storage.enabled', when: off, missing: 'Storage is served anyway' },
  { key: 'storage.s3_protocol.enabled', when: on, missing: 'the S3 protocol is not served locally' },
  { key: 'storage.analytics.enabled', when: on, missing: 'analytics (Iceberg) buckets are not served locally' },
  { key: 'storage.vector.enabled', when: on, missing: 'vector buckets are not served locally' },
  { key: 'storage.buckets.*.objects_path', when: nonEmpty, missing: 'bucket objects are not uploaded from a folder at start' },
  { key: 'auth.enabled', when: off, missing: 'Auth is served anyway' },
  { key: 'auth.sms.enable_signup', when: on, missing: 'phone sign-up and SMS are not served locally' },
  { key: 'auth.sms.*.enabled', when: on, missing: 'SMS providers are not called locally' },
  { key: 'auth.mfa.phone.enroll_enabled', when: on, missing: 'phone multi-factor enrolment is not served locally' },
  { key: 'auth.mfa.web_authn.enroll_enabled', when: on, missing: 'WebAuthn multi-factor enrolment is not served locally' },
  { key: 'auth.external.*.enabled', when: on, missing: 'OAuth sign-in with this provider is not served locally' },
  { key: 'auth.web3.*.enabled', when: on, missing: 'Web3 sign-in is not served locally' },
  { key: 'auth.third_party.*.enabled', when: on, missing: 'third-party auth tokens are not accepted locally' },
  { key: 'auth.oauth_server.enabled', when: on, missing: 'the OAuth 2.1 server is not served locally' },
  { key: 'auth.captcha.enabled', when: on, missing: 'captcha tokens are not checked locally' },
  { key: 'edge_runtime.enabled', when: off, missing: 'edge functions are served anyway' },
  { key: 'edge_runtime.deno_version', when: (v) => v != null && Number(v) !== 2, missing: 'functions run on Deno 2' },
  { key: 'experimental.orioledb_version', when: nonEmpty, missing: 'OrioleDB is not available; tables use heap storage' },
];

/** Every value at `key` in `raw` with its concrete dotted path (`*` expanded). */
function lookup(raw: Table, key: string): Array<[path: string, value: unknown]> {
  let found: Array<[string, unknown]> = [['', raw]];
  for (const part of key.split('.')) {
    const next: Array<[string, unknown]> = [];
    for (const [at, value] of found) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
      const keys = part === '*' ? Object.keys(value) : [part];
      for (const k of keys) {
        if (Object.hasOwn(value, k)) next.push([at ? `${at}.${k}` : k, (value as Table)[k]]);
      }
    }
    found = next;
  }
  return found;
}

const tomlKey = (k: string) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));
const tomlValue = (v: unknown) => JSON.stringify(v);

/** One line per config.toml setting the stack does not honour: `[section] key = value: what is missing`. */
export function unsupportedSettings(config: Pick<StackConfig, 'raw'>): string[] {
  const lines: string[] = [];
  for (const rule of RULES) {
    for (const [at, value] of lookup(config.raw, rule.key)) {
      if (!rule.when(value)) continue;
      const parts = at.split('.');
      const name = parts.pop()!;
      lines.push(`[${parts.map(tomlKey).join('.')}] ${tomlKey(name)} = ${tomlValue(value)}: ${rule.missing}`);
    }
  }
  return lines;
}
