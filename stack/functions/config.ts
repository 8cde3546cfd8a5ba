import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { apiUrl, dbUrl, type StackConfig } from '../config/load.js';
import { jwtKeys, type JwtKeys } from '../jwt/keys.js';

/** What the host needs to run functions; built from config.toml, or by tests directly. */
export interface FunctionsSettings {
  /** The folder holding `<name>/index.ts`, `_shared/` and `deno.json`. */
  dir: string;
  /** `[functions.<name>] verify_jwt` (default true, as in the Supabase CLI). */
  verifyJwt: (name: string) => boolean;
  /** `[functions.<name>] enabled = false` hides a function. */
  enabled: (name: string) => boolean;
  /** The stack's JWT keys: what verify_jwt checks tokens against. */
  jwtKeys: JwtKeys;
  /** Environment every worker gets (the SUPABASE_* variables and secrets). */
  env: Record<string, string>;
  /** Request bodies past this many bytes get a 413 before or while they are relayed. */
  maxBodyBytes: number;
  /** Wall-clock limit of one request; past it the request gets 546 WORKER_LIMIT. */
  requestTimeoutMs: number;
  /** How long a worker may take to start (the first start may fetch npm packages). */
  bootTimeoutMs: number;
  /** A worker unused this long is stopped, to keep memory modest. */
  idleTimeoutMs: number;
}

type Table = Record<string, unknown>;
const table = (v: unknown): Table => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : {});

/** `KEY=value` lines (a functions/.env file, as `supabase functions serve` reads one). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    out[m[1]] = value;
  }
  return out;
}

// The local Edge Runtime's wall-clock default (supabase/cli functions serve main.ts).
const DEFAULT_REQUEST_TIMEOUT_MS = 400_000;

/**
 * `inboxSmtpPort`: the port the stack's inbox actually listens on (it may have had to take
 * another than the configured one beside a second stack); null when it runs no inbox.
 */
export function settingsFrom(config: StackConfig, inboxSmtpPort: number | null): FunctionsSettings {
  const dir = path.join(config.rootDir, 'functions');
  const functions = table(config.raw.functions);
  const runtime = table(config.raw.edge_runtime);
  const auth = table(config.raw.auth);
  const dotenvFile = path.join(dir, '.env');
  const secrets = Object.fromEntries(Object.entries(table(runtime.secrets)).map(([k, v]) => [k, String(v)]));
  const limitSec = Number(process.env.AGORA_FUNCTIONS_WALLCLOCK_LIMIT_SEC);
  return {
    dir,
    verifyJwt: (name) => table(functions[name]).verify_jwt !== false,
    enabled: (name) => table(functions[name]).enabled !== false,
    jwtKeys: jwtKeys(config),
    env: {
      // Where our functions send mail and link to: the stack's inbox and the app's site URL.
      // Secrets of the same name (config.toml or functions/.env) take precedence.
      SITE_URL: String(auth.site_url || 'http://127.0.0.1:3000'),
      ...(inboxSmtpPort === null ? {} : { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(inboxSmtpPort) }),
      ...secrets,
      ...(existsSync(dotenvFile) ? parseDotenv(readFileSync(dotenvFile, 'utf8')) : {}),
      SUPABASE_URL: apiUrl(config),
      SUPABASE_ANON_KEY: config.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
      // the new API keys, as the CLI's relay hands them to workers (a JSON object of named keys)
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: config.publishableKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: config.secretKey }),
      SUPABASE_DB_URL: dbUrl(config),
    },
    maxBodyBytes: config.bodyLimits.functions,
    requestTimeoutMs: Number.isFinite(limitSec) && limitSec > 0 ? limitSec * 1000 : DEFAULT_REQUEST_TIMEOUT_MS,
    bootTimeoutMs: 180_000,
    idleTimeoutMs: 10 * 60_000,
  };
}
