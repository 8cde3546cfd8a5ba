import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { apiUrl, dbUrl, type StackConfig } from '../config/load.js';
import { jwtKeys, type JwtKeys } from '../jwt/keys.js';

/** One function as the Supabase CLI finds it (all paths absolute). */
export interface FunctionSpec {
  name: string;
  entrypoint: string;
  /** deno.json / deno.jsonc (Deno's --config) or an import map (--import-map); null: none. */
  importMap: string | null;
  /** `static_files` globs: files the function reads at run time. */
  staticFiles: string[];
  /** `verify_jwt` (default true). */
  verifyJwt: boolean;
}

/** What the host needs to run functions; built from config.toml, or by tests directly. */
export interface FunctionsSettings {
  /** The enabled function called `name`, looked up on every call (null when there is none). */
  find: (name: string) => FunctionSpec | null;
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

export type Table = Record<string, unknown>;
const table = (v: unknown): Table => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : {});

/** `KEY=value` lines (a supabase/functions/.env file, as `supabase functions serve` reads one). */
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

// The CLI's function slug rule (internal/utils/misc.go): `_shared` and dot-folders are no functions.
const SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/;

const firstExisting = (files: string[]): string | null => files.find((f) => existsSync(f)) ?? null;

/**
 * The Supabase CLI's rule for finding functions (pkg/config/config.go, functions deploy/serve):
 * every `supabase/functions/<name>/index.ts`, plus every `[functions.<name>]` of config.toml, whose
 * `entrypoint`, `import_map` and `static_files` are relative to `supabase/`. Without `import_map`,
 * a deno.json or deno.jsonc beside the entrypoint, then in `supabase/functions/<name>/`, then its
 * legacy import_map.json, then `supabase/functions/import_map.json`. `enabled = false` hides one.
 */
export function functionFinder(supabaseDir: string, declared: Table): (name: string) => FunctionSpec | null {
  const functionsDir = path.join(supabaseDir, 'functions');
  return (name) => {
    if (!SLUG.test(name)) return null;
    const own = Object.hasOwn(declared, name) ? table(declared[name]) : null;
    if (own?.enabled === false) return null;
    const entrypoint = typeof own?.entrypoint === 'string' && own.entrypoint
      ? path.resolve(supabaseDir, own.entrypoint)
      : path.join(functionsDir, name, 'index.ts');
    if (!existsSync(entrypoint)) return null;
    const fnDir = path.join(functionsDir, name);
    const entryDir = path.dirname(entrypoint);
    const importMap = typeof own?.import_map === 'string' && own.import_map
      ? path.resolve(supabaseDir, own.import_map)
      : firstExisting([
        ...(own ? [path.join(entryDir, 'deno.json'), path.join(entryDir, 'deno.jsonc')] : []),
        path.join(fnDir, 'deno.json'), path.join(fnDir, 'deno.jsonc'), path.join(fnDir, 'import_map.json'),
        path.join(functionsDir, 'import_map.json'),
      ]);
    const staticFiles = Array.isArray(own?.static_files) ? own.static_files.map((g) => path.resolve(supabaseDir, String(g))) : [];
    return { name, entrypoint, importMap, staticFiles, verifyJwt: own?.verify_jwt !== false };
  };
}

/** Every function the CLI would serve: folders with an index.ts and declared ones, enabled and present. */
export function listFunctions(supabaseDir: string, declared: Table): FunctionSpec[] {
  const find = functionFinder(supabaseDir, declared);
  const functionsDir = path.join(supabaseDir, 'functions');
  const names = new Set(Object.keys(declared));
  if (existsSync(functionsDir)) {
    for (const entry of readdirSync(functionsDir, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(path.join(functionsDir, entry.name, 'index.ts'))) names.add(entry.name);
    }
  }
  return [...names].sort().map(find).filter((f): f is FunctionSpec => f !== null);
}

// The local Edge Runtime's wall-clock default (supabase/cli functions serve main.ts).
const DEFAULT_REQUEST_TIMEOUT_MS = 400_000;

/**
 * `inboxSmtpPort`: the port the stack's inbox actually listens on (it may have had to take
 * another than the configured one beside a second stack); null when it runs no inbox.
 */
export function settingsFrom(config: StackConfig, inboxSmtpPort: number | null): FunctionsSettings {
  const functions = table(config.raw.functions);
  const runtime = table(config.raw.edge_runtime);
  const auth = table(config.raw.auth);
  // As `supabase functions serve` without --env-file.
  const dotenvFile = path.join(config.supabaseDir, 'functions', '.env');
  const secrets = Object.fromEntries(Object.entries(table(runtime.secrets)).map(([k, v]) => [k, String(v)]));
  return {
    find: functionFinder(config.supabaseDir, functions),
    jwtKeys: jwtKeys(config),
    env: {
      // Where our functions send mail and link to: the stack's inbox and the app's site URL.
      // Secrets of the same name (config.toml or supabase/functions/.env) take precedence.
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
    requestTimeoutMs: config.functions.wallclockLimitSec === null ? DEFAULT_REQUEST_TIMEOUT_MS : config.functions.wallclockLimitSec * 1000,
    bootTimeoutMs: 180_000,
    idleTimeoutMs: 10 * 60_000,
  };
}
