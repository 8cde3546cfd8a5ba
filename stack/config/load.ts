import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { LOCAL_JWT_SECRET, LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY, demoKey } from './keys.js';
import { readSigningKeys, type SigningJwk } from './signing-keys.js';
import { StackError } from '../errors.js';

/** The project root: the folder holding supabase/config.toml. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Table = Record<string, unknown>;

// The CLI's local database has one fixed password for every role it logs in as.
const LOCAL_DB_PASSWORD = 'postgres';

export interface StackConfig {
  projectId: string;
  rootDir: string;
  supabaseDir: string;
  dataDir: string;
  /** extraSchemas: AGORA_API_EXTRA_SCHEMAS, exposed after `schemas` (test and bench stacks expose their fixtures). */
  api: { port: number; schemas: string[]; extraSchemas: string[]; extraSearchPath: string[]; maxRows: number | null };
  /**
   * schemaPaths: `[db.migrations] schema_paths`, file paths or glob patterns made absolute (declarative schemas).
   * password: what every platform role logs in with, as on the CLI's local database.
   */
  db: { port: number; majorVersion: number; seedEnabled: boolean; seedPaths: string[]; schemaPaths: string[]; password: string };
  /** smtpPort: null when neither config.toml nor AGORA_SMTP_PORT names one (the inbox then picks). */
  inbox: { port: number; smtpPort: number | null };
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  /** `[auth] publishable_key`: the opaque key that stands for `anon` at the gateway (the CLI's fixed local one by default). */
  publishableKey: string;
  /** `[auth] secret_key`: the opaque key that stands for `service_role` (server-side only). */
  secretKey: string;
  /** `[auth] signing_keys_path` (relative to supabase/): the JWKs, the first signs; empty means HS256 with jwtSecret. */
  signingKeys: SigningJwk[];
  /** Request-body caps per component, in bytes (see README "Limits"). */
  bodyLimits: { rest: number; auth: number; storage: number; functions: number; realtime: number };
  /** Connections per component, each its own pool, and how long a request waits for one. */
  pools: { rest: number; storage: number; realtime: number; auth: number; acquireTimeoutMs: number };
  /** AGORA_REALTIME_LINGER_MS: how long the change streams stay up after their last listener left. */
  realtime: { lingerMs: number };
  /** AGORA_FUNCTIONS_WALLCLOCK_LIMIT_SEC: a function request's wall-clock limit, null for the Edge Runtime's default. */
  functions: { wallclockLimitSec: number | null };
  /** The whole parsed config.toml with env(VAR) references resolved, for the services' own sections. */
  raw: Table;
}

export interface ConfigOverrides {
  rootDir?: string;
  apiPort?: number;
  dbPort?: number;
  inboxPort?: number;
  smtpPort?: number;
  dataDir?: string;
}

/** Replaces the CLI's `env(NAME)` references with the variable's value (empty when unset). */
function resolveEnvRefs(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    const m = /^env\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(value.trim());
    return m ? (env[m[1]] ?? '') : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveEnvRefs(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnvRefs(v, env)]));
  }
  return value;
}

function section(table: Table, key: string): Table {
  const v = table[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : {};
}

function portFrom(envName: string, env: NodeJS.ProcessEnv, fallback: unknown, dflt: number): number {
  const raw = env[envName] ?? fallback ?? dflt;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StackError(`invalid port ${JSON.stringify(raw)}${env[envName] ? ` in ${envName}` : ' in supabase/config.toml'}`);
  }
  return port;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env, options: { readSigningKeys?: boolean } = {}): StackConfig {
  // Like the CLI's --workdir: the folder whose supabase/ is served (tests point it elsewhere).
  const rootDir = path.resolve(overrides.rootDir ?? env.AGORA_WORKDIR ?? PROJECT_ROOT);
  const supabaseDir = path.join(rootDir, 'supabase');
  const file = path.join(supabaseDir, 'config.toml');
  let parsed: Table;
  try {
    parsed = parse(readFileSync(file, 'utf8')) as Table;
  } catch (err) {
    throw new StackError(`cannot read ${path.relative(process.cwd(), file) || file}: ${(err as Error).message}`);
  }
  const raw = resolveEnvRefs(parsed, env) as Table;
  const api = section(raw, 'api');
  const db = section(raw, 'db');
  const seed = section(db, 'seed');
  const migrations = section(db, 'migrations');
  // Newer CLIs name the mail catcher [local_smtp]; older ones [inbucket].
  const inbox = Object.keys(section(raw, 'local_smtp')).length ? section(raw, 'local_smtp') : section(raw, 'inbucket');
  const auth = section(raw, 'auth');

  const jwtSecret = String(auth.jwt_secret || LOCAL_JWT_SECRET);
  if (jwtSecret.length < 32) throw new StackError('[auth] jwt_secret must be at least 32 characters');

  return {
    projectId: String(raw.project_id ?? 'agora'),
    rootDir,
    supabaseDir,
    dataDir: path.resolve(rootDir, overrides.dataDir ?? env.AGORA_DATA_DIR ?? '.agora'),
    api: {
      port: overrides.apiPort ?? portFrom('AGORA_API_PORT', env, api.port, 54321),
      schemas: Array.isArray(api.schemas) ? api.schemas.map(String) : ['public', 'graphql_public'],
      extraSchemas: (env.AGORA_API_EXTRA_SCHEMAS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      extraSearchPath: Array.isArray(api.extra_search_path) ? api.extra_search_path.map(String) : ['public', 'extensions'],
      maxRows: typeof api.max_rows === 'number' ? api.max_rows : null,
    },
    db: {
      port: overrides.dbPort ?? portFrom('AGORA_DB_PORT', env, db.port, 54322),
      majorVersion: Number(db.major_version ?? 17),
      seedEnabled: seed.enabled !== false,
      seedPaths: (Array.isArray(seed.sql_paths) ? seed.sql_paths.map(String) : ['./seed.sql']).map((p) =>
        path.resolve(supabaseDir, p),
      ),
      schemaPaths: (Array.isArray(migrations.schema_paths) ? migrations.schema_paths.map(String) : []).map((p) =>
        path.resolve(supabaseDir, p),
      ),
      password: LOCAL_DB_PASSWORD,
    },
    inbox: {
      port: overrides.inboxPort ?? portFrom('AGORA_INBOX_PORT', env, inbox.port, 54324),
      smtpPort: overrides.smtpPort ?? (env.AGORA_SMTP_PORT || inbox.smtp_port != null ? portFrom('AGORA_SMTP_PORT', env, inbox.smtp_port, 54325) : null),
    },
    jwtSecret,
    anonKey: demoKey('anon', jwtSecret),
    serviceRoleKey: demoKey('service_role', jwtSecret),
    // As the CLI: an empty setting falls back to the fixed local key.
    publishableKey: String(auth.publishable_key || LOCAL_PUBLISHABLE_KEY),
    secretKey: String(auth.secret_key || LOCAL_SECRET_KEY),
    signingKeys: options.readSigningKeys !== false && typeof auth.signing_keys_path === 'string' && auth.signing_keys_path
      ? readSigningKeys(path.resolve(supabaseDir, auth.signing_keys_path))
      : [],
    bodyLimits: bodyLimitsFrom(env),
    pools: poolsFrom(env),
    realtime: { lingerMs: countFrom('AGORA_REALTIME_LINGER_MS', env, 10_000, 0) },
    functions: { wallclockLimitSec: wallclockFrom(env) },
    raw,
  };
}

// Body caps. REST: Supabase's API gateway caps request bodies in front of PostgREST (which has
// none of its own); auth: GoTrue's bodies are small JSON documents; storage: its JSON routes
// (uploads keep file_size_limit); functions: the edge runtime's request size; realtime: the
// broadcast API's max_payload_size_in_kb default (3000 KB).
const DEFAULT_BODY_LIMITS = { rest: 10 * 1024 ** 2, auth: 1024 ** 2, storage: 1024 ** 2, functions: 20 * 1024 ** 2, realtime: 3000 * 1000 };
// PostgREST's db-pool 10 and db-pool-acquisition-timeout 10 s; the others sized for what they do.
const DEFAULT_POOLS = { rest: 10, storage: 6, realtime: 4, auth: 8, acquireTimeoutMs: 10_000 };

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `AGORA_BODY_LIMIT_<COMPONENT>`: bytes, or a size such as "10MiB" / "500KB". */
function sizeFrom(envName: string, env: NodeJS.ProcessEnv, dflt: number): number {
  const raw = env[envName];
  if (raw === undefined || raw === '') return dflt;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? (m[2] || 'b').toLowerCase() : '';
  const bytes = m && unit in SIZE_UNITS ? Math.floor(Number(m[1]) * SIZE_UNITS[unit]) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new StackError(`invalid size ${JSON.stringify(raw)} in ${envName}`, 'use bytes or a size such as 10MiB');
  return bytes;
}

function countFrom(envName: string, env: NodeJS.ProcessEnv, dflt: number, min = 1): number {
  const raw = env[envName];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new StackError(`invalid value ${JSON.stringify(raw)} in ${envName}`, min > 0 ? 'use a positive whole number' : 'use a whole number, 0 or more');
  }
  return n;
}

// Any value that is not a positive number means the default, as before this was read here.
function wallclockFrom(env: NodeJS.ProcessEnv): number | null {
  const sec = Number(env.AGORA_FUNCTIONS_WALLCLOCK_LIMIT_SEC);
  return Number.isFinite(sec) && sec > 0 ? sec : null;
}

function bodyLimitsFrom(env: NodeJS.ProcessEnv): StackConfig['bodyLimits'] {
  const d = DEFAULT_BODY_LIMITS;
  return {
    rest: sizeFrom('AGORA_BODY_LIMIT_REST', env, d.rest),
    auth: sizeFrom('AGORA_BODY_LIMIT_AUTH', env, d.auth),
    storage: sizeFrom('AGORA_BODY_LIMIT_STORAGE', env, d.storage),
    functions: sizeFrom('AGORA_BODY_LIMIT_FUNCTIONS', env, d.functions),
    realtime: sizeFrom('AGORA_BODY_LIMIT_REALTIME', env, d.realtime),
  };
}

function poolsFrom(env: NodeJS.ProcessEnv): StackConfig['pools'] {
  const d = DEFAULT_POOLS;
  return {
    rest: countFrom('AGORA_POOL_REST', env, d.rest),
    storage: countFrom('AGORA_POOL_STORAGE', env, d.storage),
    realtime: countFrom('AGORA_POOL_REALTIME', env, d.realtime),
    auth: countFrom('AGORA_POOL_AUTH', env, d.auth),
    acquireTimeoutMs: countFrom('AGORA_POOL_ACQUIRE_TIMEOUT_MS', env, d.acquireTimeoutMs),
  };
}

/** A platform role's URL on the local database (TCP on loopback). */
export function roleDbUrl(config: StackConfig, role: string, database = 'postgres'): string {
  return `postgresql://${encodeURIComponent(role)}:${encodeURIComponent(config.db.password)}@127.0.0.1:${config.db.port}/${database}`;
}

export function dbUrl(config: StackConfig, database = 'postgres'): string {
  return roleDbUrl(config, 'postgres', database);
}

/** The bootstrap superuser's URL: the platform SQL and the stack's own internals, never the project's SQL. */
export function adminDbUrl(config: StackConfig, database = 'postgres'): string {
  return roleDbUrl(config, 'supabase_admin', database);
}

export function apiUrl(config: StackConfig): string {
  return `http://127.0.0.1:${config.api.port}`;
}

export function inboxUrl(config: StackConfig): string {
  return `http://127.0.0.1:${config.inbox.port}`;
}
