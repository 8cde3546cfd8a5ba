import type pg from 'pg';
import type { Logger } from 'pino';
import type { ReadPolicies } from './authorization.js';

// `config.broadcast.replay = { since, limit }` on join, as Realtime handles it: private channels
// only, for clients allowed to read the topic's broadcasts; up to `limit` (1..25, default 25) of
// the topic's private broadcasts stored since `since` (Unix ms), oldest first, each pushed after
// the join with `meta: { replayed: true, id }`.

const HARD_LIMIT = 25;

export interface ReplayedMessage {
  type: 'broadcast';
  event: string;
  payload: unknown;
  meta: { replayed: true; id: string };
}

export type ReplayOutcome = { ok: true; messages: ReplayedMessage[] } | { ok: false; reason: string };

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export async function replayOnJoin(
  adminPool: pg.Pool, log: Logger, config: Record<string, unknown>, topic: string, policies: ReadPolicies | null,
): Promise<ReplayOutcome> {
  const broadcast = config.broadcast;
  if (!broadcast || typeof broadcast !== 'object' || !('replay' in broadcast)) return { ok: true, messages: [] };
  const replay = (broadcast as { replay: unknown }).replay;
  if (policies && !policies.broadcast) {
    return { ok: false, reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}` };
  }
  if (!policies) return { ok: false, reason: 'UnableToReplayMessages: Replay is not allowed for public channels' };
  if (!replay || typeof replay !== 'object' || Array.isArray(replay)) return { ok: true, messages: [] };
  const { since = 0, limit = HARD_LIMIT } = replay as { since?: unknown; limit?: unknown };
  // Unix milliseconds Postgres can hold (years 1..9999).
  if (!isInteger(since) || !isInteger(limit) || since < -62_135_596_800_000 || since > 253_402_300_799_999) {
    return { ok: false, reason: 'UnableToReplayMessages: Replay params are not valid' };
  }
  try {
    const { rows } = await adminPool.query<{ id: string; event: string | null; payload: unknown }>(
      `select id, event, payload from realtime.messages
        where topic = $1 and private is true and extension = 'broadcast'
          and inserted_at >= to_timestamp($2::double precision / 1000)::timestamp
          and inserted_at < now()::timestamp + interval '1 minute'
        order by inserted_at desc
        limit $3`,
      [topic, since, Math.max(Math.min(limit, HARD_LIMIT), 1)],
    );
    return {
      ok: true,
      messages: rows.reverse().map((r) => ({ type: 'broadcast', event: r.event ?? '', payload: r.payload, meta: { replayed: true, id: r.id } })),
    };
  } catch (err) {
    log.warn({ err, topic }, 'realtime: UnableToReplayMessages');
    return { ok: false, reason: 'UnableToReplayMessages: Realtime was unable to replay messages' };
  }
}
