import type pg from 'pg';

/**
 * The settings `alter role ... set` gave each role (pg_db_role_setting: for every database, or for
 * this one, which wins), applied inside each request's transaction right after the switch to the
 * role, as PostgREST applies them: `set role` through set_config does not load a role's settings,
 * so without this anon would run under the login role's 8 s statement_timeout instead of its own
 * 3 s. Only settings a role may change in a session are kept (others would fail set_config).
 * Read at start and again whenever the REST schema cache reloads.
 */
export class RoleSettings {
  private byRole = new Map<string, Record<string, string>>();

  constructor(private readonly pool: pg.Pool) {}

  /** The settings of `role`, in the order to apply them (empty when it has none). */
  of(role: string): Record<string, string> {
    return this.byRole.get(role) ?? {};
  }

  async reload(): Promise<void> {
    const { rows } = await this.pool.query<{ role: string; name: string; value: string }>(ROLE_SETTINGS_SQL);
    const next = new Map<string, Record<string, string>>();
    for (const { role, name, value } of rows) {
      const settings = next.get(role) ?? {};
      settings[name] = value;
      next.set(role, settings);
    }
    this.byRole = next;
  }
}

// For each role and setting: the database-specific value over the all-databases one. Custom
// (dotted) settings count as user-settable; built-in ones only when a session may change them.
const ROLE_SETTINGS_SQL = `
  select distinct on (r.rolname, kv.name) r.rolname as role, kv.name, kv.value
    from pg_catalog.pg_db_role_setting s
    join pg_catalog.pg_roles r on r.oid = s.setrole
    cross join lateral (
      select split_part(c, '=', 1) as name, substr(c, strpos(c, '=') + 1) as value from unnest(s.setconfig) as c
    ) kv
    left join pg_catalog.pg_settings ps on ps.name = kv.name
   where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
     and (ps.context = 'user' or (ps.name is null and kv.name like '%.%'))
   order by r.rolname, kv.name, s.setdatabase desc`;

const stores = new WeakMap<pg.Pool, RoleSettings>();

/** Makes every request scope on `pool` apply `settings` for the role it switches to. */
export function applyRoleSettings(pool: pg.Pool, settings: RoleSettings): void {
  stores.set(pool, settings);
}

/** The settings of `role` that a request scope on `pool` applies. */
export function roleSettingsFor(pool: pg.Pool, role: string): Record<string, string> {
  return stores.get(pool)?.of(role) ?? {};
}
