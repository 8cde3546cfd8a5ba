import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { LOCAL_JWT_SECRET, demoKey } from './keys.js';
import { StackError } from '../errors.js';

/** The project root: the folder holding supabase/config.toml. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Table = Record<string, unknown>;

export interface StackConfig {
  projectId: string;
  rootDir: string;
  supabaseDir: string;
  dataDir: string;
  api: { port: number; schemas: string[]; extraSearchPath: string[]; maxRows: number | null };
  /** schemaPaths: `[db.migrations] schema_paths`, file paths or glob patterns made absolute (declarative schemas). */
  db: { port: number; majorVersion: number; seedEnabled: boolean; seedPaths: string[]; schemaPaths: string[] };
  /** smtpPort: null when neither config.toml nor AGORA_SMTP_PORT names one (the inbox then picks). */
  inbox: { port: number; smtpPort: number | null };
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
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

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): StackConfig {
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
    },
    inbox: {
      port: overrides.inboxPort ?? portFrom('AGORA_INBOX_PORT', env, inbox.port, 54324),
      smtpPort: overrides.smtpPort ?? (env.AGORA_SMTP_PORT || inbox.smtp_port != null ? portFrom('AGORA_SMTP_PORT', env, inbox.smtp_port, 54325) : null),
    },
    jwtSecret,
    anonKey: demoKey('anon', jwtSecret),
    serviceRoleKey: demoKey('service_role', jwtSecret),
    raw,
  };
}

export function dbUrl(config: StackConfig, database = 'postgres'): string {
  return `postgresql://postgres:postgres@127.0.0.1:${config.db.port}/${database}`;
}

export function apiUrl(config: StackConfig): string {
  return `http://127.0.0.1:${config.api.port}`;
}

export function inboxUrl(config: StackConfig): string {
  return `http://127.0.0.1:${config.inbox.port}`;
}
