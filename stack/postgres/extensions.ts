import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors.js';

/**
 * supautils.privileged_extensions of the supabase/postgres image: the extensions `postgres` may
 * create on Supabase although Postgres reserves most of them for superusers. Those our embedded
 * Postgres ships (its contrib modules, and pgTAP once installed) are made creatable the same way.
 */
export const PRIVILEGED_EXTENSIONS = [
  'address_standardizer', 'address_standardizer_data_us', 'autoinc', 'bloom', 'btree_gin', 'btree_gist', 'citext',
  'cube', 'dblink', 'dict_int', 'dict_xsyn', 'earthdistance', 'fuzzystrmatch', 'hstore', 'http', 'hypopg',
  'index_advisor', 'insert_username', 'intarray', 'isn', 'ltree', 'moddatetime', 'orioledb', 'pg_cron', 'pg_graphql',
  'pg_hashids', 'pg_jsonschema', 'pg_net', 'pg_partman', 'pg_repack', 'pg_stat_monitor', 'pg_stat_statements', 'pg_tle',
  'pg_trgm', 'pg_walinspect', 'pgaudit', 'pgcrypto', 'pgjwt', 'pg_prewarm', 'pgmq', 'pgroonga', 'pgroonga_database',
  'pgrouting', 'pgrowlocks', 'pgstattuple', 'pgsodium', 'pgtap', 'plcoffee', 'pljava', 'plls', 'plpgsql',
  'plpgsql_check', 'plv8', 'postgis', 'postgis_raster', 'postgis_sfcgal', 'postgis_tiger_geocoder', 'postgis_topology',
  'postgres_fdw', 'refint', 'rum', 'seg', 'sslinfo', 'supabase_vault', 'supautils', 'tablefunc', 'tcn', 'timescaledb',
  'tsm_system_rows', 'tsm_system_time', 'unaccent', 'uuid-ossp', 'vector', 'wrappers',
];

const TRUSTED = /^\s*trusted\s*=\s*true\s*$/m;
const SUPERUSER = /^\s*superuser\s*=\s*true\s*$/m;

/**
 * supautils runs `create extension` of a privileged extension as the bootstrap superuser
 * (supabase_admin), so the extension's functions, types and tables belong to it and a project's
 * `alter default privileges` cannot lock them. Postgres's own `trusted` flag does the same without
 * a server module: a trusted extension that requires a superuser may be created by anyone with
 * CREATE on the database, and its script runs as the bootstrap superuser. So each privileged
 * extension's control file is marked `superuser = true` (pgTAP's says false: it would run as the
 * caller and be owned by postgres) and `trusted = true`; every other extension stays
 * superuser-only, as on Supabase. Returns the names marked by this call.
 */
export function trustPrivilegedExtensions(extensionDir: string): string[] {
  const marked: string[] = [];
  for (const name of PRIVILEGED_EXTENSIONS) {
    const control = path.join(extensionDir, `${name}.control`);
    if (!existsSync(control)) continue;
    const text = readFileSync(control, 'utf8');
    if (TRUSTED.test(text) && SUPERUSER.test(text)) continue;
    const without = text.replace(/^\s*(trusted|superuser)\s*=.*$|^# creatable by postgres.*$/gm, '').replace(/\n{2,}/g, '\n').trimEnd();
    try {
      writeFileSync(control, `${without}\n# creatable by postgres, run as the bootstrap superuser (as supautils does on Supabase)\nsuperuser = true\ntrusted = true\n`);
    } catch (err) {
      throw new StackError(`cannot mark ${control} trusted: ${(err as Error).message}`, 'make the embedded Postgres folder writable, or run `npm install` again');
    }
    marked.push(name);
  }
  return marked;
}
