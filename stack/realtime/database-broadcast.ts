import type pg from 'pg';
import type { Logger } from 'pino';
import { topicKey, type Hub } from './hub.js';
import type { UserBroadcast } from './protocol.js';
import { ChangeStream, type RowChange, type Transaction } from './replication.js';

// Broadcast from the database: rows written to realtime.messages (by realtime.send and
// realtime.broadcast_changes) are read from the WAL through Realtime's messages publication and
// delivered to the topic's channels, private or public as the row says, in commit order. A
// rolled-back transaction never reaches the WAL stream, so its messages are never delivered.

export const MESSAGES_PUBLICATION = 'supabase_realtime_messages_publication';
export const MESSAGES_SLOT = 'agora_realtime_messages';

export interface DatabaseBroadcastOptions {
  hub: Hub;
  /** Larger payloads are not delivered (logged), as Realtime checks the tenant's payload limit. */
  maxPayloadBytes: number;
  port: number;
  /** The database password (config's db.password). */
  password: string;
  log: Logger;
}

interface Message {
  topic: string;
  private: boolean;
  broadcast: UserBroadcast;
}

/** A realtime.messages insert as the broadcast it carries (null: not deliverable, e.g. no payload). */
export function messageOf(change: RowChange): Message | null {
  if (change.type !== 'INSERT' || change.relation.schema !== 'realtime' || change.relation.name !== 'messages') return null;
  const row = change.record;
  if (!row?.topic || !row.event || !row.id || row.payload === null || row.payload === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(row.payload);
  } catch {
    return null;
  }
  // As Realtime: the payload as written, the message's id beside it in `meta`.
  return { topic: row.topic, private: row.private === 't', broadcast: { event: row.event, json, extra: { meta: { id: row.id } } } };
}

export function createDatabaseBroadcast({ hub, maxPayloadBytes, port, password, log }: DatabaseBroadcastOptions): ChangeStream {
  const deliver = (batch: Transaction[]) => {
    for (const tx of batch) {
      for (const change of tx.changes) {
        const size = Buffer.byteLength(change.record?.payload ?? '');
        if (size > maxPayloadBytes) {
          log.warn({ topic: change.record?.topic, size }, 'realtime: UnableToBroadcastChanges, payload too large');
          continue;
        }
        const message = messageOf(change);
        if (message) hub.broadcast(topicKey(message.topic, message.private), message.broadcast, null, true);
      }
    }
  };
  return new ChangeStream({
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: 'postgres',
    password,
    slot: MESSAGES_SLOT,
    publication: MESSAGES_PUBLICATION,
    log,
    prepare: async (batch) => () => deliver(batch),
  });
}

/** Creates the coming days' partitions of realtime.messages and drops those past retention. */
export async function maintainMessagePartitions(adminPool: pg.Pool, log: Logger): Promise<void> {
  try {
    await adminPool.query('select realtime.maintain_message_partitions()');
  } catch (err) {
    log.warn({ err }, 'realtime: could not maintain realtime.messages partitions');
  }
}
