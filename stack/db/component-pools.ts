import pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { applyRoleSettings, type RoleSettings } from './role-settings.js';

/**
 * The connections each client-serving component holds, as Supabase's services each keep their
 * own: slow queries in one fill only its pool, so another component's requests never wait behind
 * them. All log in as `authenticator` and switch to the request's role; each pool applies the
 * role's own settings (role-settings.ts). A request waits at most `acquireTimeoutMs` for a
 * connection, then fails with the pool's timeout error (each component answers it in its format).
 * Auth keeps its own pool as supabase_auth_admin (stack/auth/db.ts).
 */
export interface ComponentPools {
  rest: pg.Pool;
  storage: pg.Pool;
  realtime: pg.Pool;
}

export function createComponentPools(
  config: StackConfig,
  connection: pg.ClientConfig,
  roleSettings: RoleSettings,
  onError: (pool: string) => (err: Error) => void,
): ComponentPools {
  const make = (name: keyof ComponentPools) => {
    const pool = new pg.Pool({
      ...connection,
      max: config.pools[name],
      connectionTimeoutMillis: config.pools.acquireTimeoutMs,
      application_name: `agora-${name}`,
    });
    pool.on('error', onError(name));
    applyRoleSettings(pool, roleSettings);
    return pool;
  };
  return { rest: make('rest'), storage: make('storage'), realtime: make('realtime') };
}

export async function endComponentPools(pools: ComponentPools): Promise<void> {
  await Promise.all(Object.values(pools).map((p) => p.end()));
}

/** The error node-postgres raises when no connection came free within connectionTimeoutMillis. */
export function isPoolTimeout(err: unknown): boolean {
  return err instanceof Error && !('code' in err && (err as { code?: unknown }).code) && /timeout exceeded when trying to connect/i.test(err.message);
}
