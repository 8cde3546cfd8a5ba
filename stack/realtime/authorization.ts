import type pg from 'pg';
import type { Logger } from 'pino';
import { withRequestScope } from '../db/request-scope.js';
import type { Identity } from './hub.js';

// Private channels, authorized as Supabase Realtime's Tenants.Authorization does: by RLS on
// realtime.messages, as the client's role and claims with `realtime.topic` set to the channel,
// in a transaction that is always rolled back (no probe row is ever kept).

export interface ReadPolicies {
  broadcast: boolean;
  presence: boolean;
}

const scope = (identity: Identity, topic: string) => ({
  role: identity.role,
  claims: identity.claims,
  settings: { 'realtime.topic': topic },
});

/**
 * Read permission: probe rows for broadcast and presence are written by the table's owner
 * (RLS does not bind it, as Realtime's admin connection writes them), then selected back as the
 * client. A row the client cannot see is a permission it lacks. A policy that fails denies.
 */
export async function readPolicies(adminPool: pg.Pool, log: Logger, identity: Identity, topic: string): Promise<ReadPolicies> {
  const denied = { broadcast: false, presence: false };
  try {
    return await withRequestScope(
      adminPool,
      scope(identity, topic),
      async (client) => {
        // The admin pool may become any role: only the roles the API may switch to are checked.
        const { rows: assumable } = await client.query(`select pg_has_role('authenticator', current_user, 'member') as ok`);
        if (assumable[0]?.ok !== true) return denied;
        await client.query(`select set_config('role', 'supabase_realtime_admin', true)`);
        const { rows: probes } = await client.query<{ id: string; extension: string }>(
          `insert into realtime.messages (topic, extension) values ($1, 'broadcast'), ($1, 'presence') returning id, extension`,
          [topic],
        );
        await client.query(`select set_config('role', $1, true)`, [identity.role]);
        const { rows: seen } = await client.query<{ extension: string }>(
          `select extension from realtime.messages where topic = $1 and id = any($2::uuid[])`,
          [topic, probes.map((p) => p.id)],
        );
        const visible = new Set(seen.map((r) => r.extension));
        return { broadcast: visible.has('broadcast'), presence: visible.has('presence') };
      },
      { rollback: true },
    );
  } catch (err) {
    log.warn({ err, topic, role: identity.role }, 'realtime: RlsPolicyError on private channel read check');
    return denied;
  }
}

/**
 * Write permission for broadcast or presence: may the client insert such a row for the topic
 * under RLS? `null` when the check itself failed for another reason (not cached: asked again).
 */
export async function canWrite(
  apiPool: pg.Pool, log: Logger, identity: Identity, topic: string, extension: 'broadcast' | 'presence',
): Promise<boolean | null> {
  try {
    return await withRequestScope(
      apiPool,
      scope(identity, topic),
      async (client) => {
        await client.query(`insert into realtime.messages (topic, extension) values ($1, $2)`, [topic, extension]);
        return true;
      },
      { rollback: true },
    );
  } catch (err) {
    if ((err as { code?: string }).code === '42501') return false;
    log.warn({ err, topic, role: identity.role }, `realtime: unable to check ${extension} write permission`);
    return null;
  }
}

export const canBroadcast = (apiPool: pg.Pool, log: Logger, identity: Identity, topic: string) =>
  canWrite(apiPool, log, identity, topic, 'broadcast');
