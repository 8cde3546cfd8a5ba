import type pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { invalidPreferences } from './errors.js';
import type { Preferences } from './parse.js';

/**
 * PostgREST's in-database configuration: `pgrst.*` settings on the `authenticator` role
 * (`alter role authenticator [in database d] set pgrst.db_max_rows = '100'`), read at start and
 * again on `NOTIFY pgrst, 'reload config'` (the schema cache store reloads it with the cache).
 * A setting for the current database wins over one for all databases; one set on the database
 * alone counts for nothing, as in PostgREST. Unset keys keep what config.toml says.
 */
export interface DbConfig {
  /** `db_aggregates_enabled`: count(), sum(), avg(), min(), max() in select (off by default, as on Supabase) */
  aggregatesEnabled: boolean;
  /** `db_plan_enabled`: `Accept: application/vnd.pgrst.plan` answers with the query plan */
  planEnabled: boolean;
  /** `db_max_rows`: the most rows a read returns (config.toml's `[api] max_rows` otherwise) */
  maxRows: number | null;
  /** `db_tx_end`: how every transaction ends, and whether `Prefer: tx` may choose otherwise */
  txEnd: { rollback: boolean; allowOverride: boolean };
  /** `db_pre_request`: a function called at the start of every request's transaction */
  preRequest: string | null;
  /** `db_extra_search_path`: schemas after the request's own on its search_path */
  extraSearchPath: string[];
}

/** config.toml's values for the keys the database may override */
export type DbConfigBase = Pick<StackConfig['api'], 'maxRows' | 'extraSearchPath'>;

/** What a bad in-database setting says; a reload that meets one keeps the configuration it had. */
export class DbConfigError extends Error {}

const SETTINGS_SQL = `
select distinct on (k) substr(cfg, 7, strpos(cfg, '=') - 7) as k, substr(cfg, strpos(cfg, '=') + 1) as v
  from pg_db_role_setting s
  join pg_roles r on r.oid = s.setrole
  cross join unnest(s.setconfig) cfg
 where r.rolname = 'authenticator' and cfg like 'pgrst.%=%'
   and s.setdatabase in (0, (select oid from pg_database where datname = current_database()))
 order by k, s.setdatabase desc`;

// PostgREST reads a boolean from the letters of the text (true, TRUE, "false") or else from a number (> 0)
function bool(key: string, v: string): boolean {
  const word = v.replace(/[^A-Za-z]/g, '').toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (/^[+-]?\d+$/.test(v.trim())) return Number(v) > 0;
  throw new DbConfigError(`pgrst.${key}: '${v}' is not a boolean`);
}

const TX_ENDS: Record<string, DbConfig['txEnd']> = {
  commit: { rollback: false, allowOverride: false },
  'commit-allow-override': { rollback: false, allowOverride: true },
  rollback: { rollback: true, allowOverride: false },
  'rollback-allow-override': { rollback: true, allowOverride: true },
};

/** The configuration from the settings' text, over config.toml's values for the keys left unset. */
export function dbConfigFrom(settings: Map<string, string>, base: DbConfigBase): DbConfig {
  // an empty value reads as unset, as PostgREST's optional strings do
  const get = (k: string) => {
    const v = settings.get(k);
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const maxRowsText = get('db_max_rows');
  let maxRows = base.maxRows;
  if (maxRowsText !== undefined) {
    if (!/^\d+$/.test(maxRowsText)) throw new DbConfigError(`pgrst.db_max_rows: '${maxRowsText}' is not a number`);
    maxRows = Number(maxRowsText);
  }
  const txText = get('db_tx_end');
  const txEnd = txText === undefined ? TX_ENDS.commit : TX_ENDS[txText];
  if (!txEnd) throw new DbConfigError(`pgrst.db_tx_end: '${txText}' is not one of ${Object.keys(TX_ENDS).join(', ')}`);
  const path = get('db_extra_search_path');
  return {
    aggregatesEnabled: bool('db_aggregates_enabled', get('db_aggregates_enabled') ?? 'false'),
    planEnabled: bool('db_plan_enabled', get('db_plan_enabled') ?? 'false'),
    maxRows,
    txEnd,
    preRequest: get('db_pre_request') ?? null,
    extraSearchPath: path === undefined ? base.extraSearchPath : path.split(',').map((s) => s.trim()).filter(Boolean),
  };
}

export async function loadDbConfig(db: pg.Pool | pg.Client, base: DbConfigBase): Promise<DbConfig> {
  const { rows } = await db.query<{ k: string; v: string }>(SETTINGS_SQL);
  return dbConfigFrom(new Map(rows.map((r) => [r.k, r.v])), base);
}

/**
 * How the request's transaction ends. `Prefer: tx` counts only where `db_tx_end` allows an
 * override; elsewhere PostgREST does not know the preference, so it is dropped from what is
 * applied (and refused under `handling=strict`).
 */
export function transactionEnd(db: DbConfig, prefer: Preferences): 'commit' | 'rollback' {
  if (prefer.tx && !db.txEnd.allowOverride) {
    if (prefer.handling === 'strict') throw invalidPreferences([`tx=${prefer.tx}`]);
    delete prefer.tx;
  }
  return (prefer.tx ?? (db.txEnd.rollback ? 'rollback' : 'commit'));
}
