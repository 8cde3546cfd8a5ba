import { randomUUID } from 'node:crypto';
import type { Db, Tx } from './db.js';
import { INSTANCE_ID } from './users.js';

/** GoTrue's AuditAction values, with the log type each is filed under. */
const LOG_TYPES = {
  login: 'account',
  logout: 'account',
  invite_accepted: 'account',
  user_signedup: 'team',
  user_invited: 'team',
  user_deleted: 'team',
  token_refreshed: 'token',
  token_revoked: 'token',
  user_modified: 'user',
  user_recovery_requested: 'user',
  user_confirmation_requested: 'user',
  user_updated_password: 'user',
  user_repeated_signup: 'user',
  user_reauthenticate_requested: 'user',
  factor_in_progress: 'factor',
  factor_unenrolled: 'factor',
  challenge_created: 'factor',
  verification_attempted: 'factor',
  factor_deleted: 'factor',
} as const;

export type AuditAction = keyof typeof LOG_TYPES;

export interface Actor {
  id: string;
  email: string | null;
  raw_user_meta_data?: Record<string, unknown> | null;
}

/** One row of auth.audit_log_entries, shaped as GoTrue's NewAuditLogEntry writes it. */
export async function audit(db: Db | Tx, actor: Actor, action: AuditAction, ip: string | null, traits?: Record<string, unknown>): Promise<void> {
  const id = randomUUID();
  const name = actor.raw_user_meta_data?.full_name;
  const payload = {
    actor_id: actor.id,
    actor_username: actor.email ?? '',
    ...(typeof name === 'string' && name ? { actor_name: name } : {}),
    actor_via_sso: false,
    action,
    log_type: LOG_TYPES[action],
    ...(traits ? { traits } : {}),
  };
  await db.query(
    `insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address) values ($1, $2, $3, now(), $4)`,
    [INSTANCE_ID, id, JSON.stringify(payload), (ip ?? '').slice(0, 64)],
  );
}
