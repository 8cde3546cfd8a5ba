import pg from 'pg';
import type { Logger } from 'pino';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';

// Streams committed changes of the `supabase_realtime` publication from a persistent pgoutput
// replication slot. A transaction's end LSN is confirmed to Postgres only after the handler has
// processed it, so a restart resumes from the slot: nothing is lost, and what was confirmed is
// never streamed again. The slot is recreated when it disappears (`npm run db:reset`).

export type RawRow = Record<string, string | null>;

export interface RowChange {
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  relation: Pgoutput.MessageRelation;
  /** New row (INSERT/UPDATE), values as Postgres prints them. */
  record: RawRow | null;
  /** Old row: the replica identity (key columns, or every column with REPLICA IDENTITY FULL). */
  old: RawRow | null;
}

export interface Transaction {
  /** The transaction id (32 bits, as pgoutput sends it). */
  xid: number;
  endLsn: bigint;
  /** ISO 8601, millisecond precision, UTC. */
  commitTimestamp: string;
  changes: RowChange[];
}

export interface ChangeStreamOptions {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  slot: string;
  publication: string;
  log: Logger;
  /**
   * Prepares a batch of committed transactions (in commit order) and returns the step that
   * delivers it. Rejecting replays them. The next batch is prepared while one is delivered.
   */
  prepare: (batch: Transaction[]) => Promise<() => void>;
  /** A relation (re)described by pgoutput: its shape or privileges may have changed. */
  onRelation?: (schema: string, table: string) => void;
}

const MAX_CHANGES_PER_TRANSACTION = 10_000;
const PAUSE_ABOVE = 2_000;
const PG_EPOCH_MS = 946_684_800_000;
const ADMIN_SHUTDOWN = '57P01';

export const lsnToBigInt = (lsn: string): bigint => {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
};

/** pgoutput with every value kept as the text Postgres sent (typed later, in SQL, as Supabase does). */
class RawTextPgoutput extends PgoutputPlugin {
  parse(buffer: Buffer): Pgoutput.Message {
    const message = super.parse(buffer);
    if (message.tag === 'relation') for (const column of message.columns) column.parser = (raw: unknown) => raw;
    return message;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChangeStream {
  private service: LogicalReplicationService | null = null;
  private closed = false;
  private running: Promise<void> | null = null;
  private open: { xid: number; changes: RowChange[]; dropped: number } | null = null;
  private queue: Transaction[] = [];
  private processing = false;
  private paused = false;
  /** Highest end LSN processed and confirmed (in this process). */
  private confirmed = 0n;
  /**
   * Highest end LSN taken into the queue. After a reconnect the slot streams again what was
   * queued but not yet confirmed; the queue still delivers those, so they are not taken twice.
   */
  private accepted = 0n;
  private connected = false;
  private wake: (() => void) | null = null;
  /** Someone subscribes to postgres_changes: the stream should be up. */
  private wanted = false;
  /** Nobody was subscribed: what the slot holds was for no one, so skip it when starting. */
  private fromIdle = true;
  private linger: NodeJS.Timeout | null = null;

  constructor(private readonly options: ChangeStreamOptions) {}

  /**
   * Streams while there are subscribers. Connecting from idle first moves the slot to the
   * current end of WAL: nobody was there to receive what it held. Reconnecting while there are
   * subscribers (Postgres restart, dropped connection) resumes from the slot, losing nothing.
   */
  want(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    if (this.wanted) return;
    this.wanted = true;
    this.running ??= this.loop();
    this.wake?.();
  }

  /** No subscribers left: stop streaming after `lingerMs` unless someone subscribes again. */
  unwant(lingerMs: number): void {
    if (!this.wanted || this.linger) return;
    this.linger = setTimeout(() => {
      this.linger = null;
      this.wanted = false;
      this.fromIdle = true;
      void this.service?.stop().catch(() => {});
    }, lingerMs);
    this.linger.unref();
  }

  /** Starts streaming if needed and waits (at most `timeoutMs`) until it is up. */
  async ensureStreaming(timeoutMs: number): Promise<boolean> {
    this.want();
    await this.ready(timeoutMs);
    return this.connected;
  }

  /** The database is back (after a restart): retry now instead of after the backoff. */
  reconnectNow(): void {
    this.wake?.();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Streaming when it should be (idle without subscribers is healthy). */
  get isHealthy(): boolean {
    return !this.wanted || this.connected;
  }

  /** Resolves once streaming has started (or after `timeoutMs`). */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.connected && !this.closed && Date.now() < deadline) await sleep(20);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.linger) clearTimeout(this.linger);
    this.wake?.();
    // Let an in-flight batch finish and be confirmed before the connection goes.
    for (let i = 0; i < 50 && this.processing; i++) await sleep(20);
    await this.service?.destroy().catch(() => {});
    // Ending a client in replication mode does not always settle its pending query.
    await Promise.race([this.running ?? Promise.resolve(), sleep(2_000)]);
  }

  private client(): pg.Client {
    const o = this.options;
    return new pg.Client({ host: o.host, port: o.port, database: o.database, user: o.user, password: o.password, application_name: 'agora-realtime' });
  }

  /** Creates the slot when missing, once the publication exists (pgoutput needs it at decode time). */
  private async ensureSlot(): Promise<boolean> {
    const client = this.client();
    client.on('error', () => {});
    await client.connect();
    try {
      const pub = await client.query('select 1 from pg_publication where pubname = $1', [this.options.publication]);
      if (!pub.rowCount) return false;
      const slot = await client.query('select 1 from pg_replication_slots where slot_name = $1', [this.options.slot]);
      if (!slot.rowCount) {
        await client.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [this.options.slot]);
        this.options.log.info({ slot: this.options.slot }, 'realtime replication slot created');
      } else if (this.fromIdle) {
        await client
          .query('select pg_replication_slot_advance($1, pg_current_wal_lsn())', [this.options.slot])
          .catch((err) => this.options.log.debug({ err }, 'realtime: slot not advanced'));
      }
      this.fromIdle = false;
      return true;
    } finally {
      await client.end().catch(() => {});
    }
  }

  private async loop(): Promise<void> {
    let backoff = 500;
    while (!this.closed) {
      if (!this.wanted) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      try {
        if (await this.ensureSlot()) {
          backoff = 500;
          await this.stream();
        }
      } catch (err) {
        if (!this.closed) this.options.log.debug({ err }, 'realtime replication interrupted');
        // Terminated by an administrator: most likely `db:reset`, which goes on to drop the slot
        // and the database. Stay away until it is done, or the new slot would pin the old database.
        if ((err as { code?: string }).code === ADMIN_SHUTDOWN) backoff = Math.max(backoff, 3_000);
      }
      this.connected = false;
      this.open = null;
      if (this.closed) break;
      if (!this.wanted) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, backoff);
      });
      this.wake = null;
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  private async stream(): Promise<void> {
    const o = this.options;
    // Manual acknowledgement only: the library's periodic status would confirm unprocessed data.
    const service = new LogicalReplicationService(
      { host: o.host, port: o.port, database: o.database, user: o.user, password: o.password, application_name: 'agora-realtime-replication' },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    this.service = service;
    service.on('error', (err: Error) => o.log.debug({ err }, 'realtime replication connection error'));
    service.on('start', () => {
      this.connected = true;
    });
    service.on('data', (_lsn: string, message: Pgoutput.Message) => this.receive(message));
    service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
      if (!shouldRespond) return;
      // Idle (everything received is processed): the server's position is safe to confirm.
      const idle = !this.open && !this.queue.length && !this.processing;
      this.sendStatus(idle ? bigMax(this.confirmed, lsnToBigInt(lsn)) : this.confirmed);
    });
    try {
      await service.subscribe(new RawTextPgoutput({ protoVersion: 1, publicationNames: [o.publication] }), o.slot);
    } finally {
      this.connected = false;
      if (this.service === service) this.service = null;
      await service.destroy().catch(() => {});
    }
  }

  private receive(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'begin':
        this.open = { xid: message.xid, changes: [], dropped: 0 };
        return;
      case 'relation':
        this.options.onRelation?.(message.schema, message.name);
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        if (!this.open) return;
        if (this.open.changes.length >= MAX_CHANGES_PER_TRANSACTION) {
          this.open.dropped++;
          return;
        }
        const relation = message.relation;
        if (message.tag === 'insert') this.open.changes.push({ type: 'INSERT', relation, record: message.new as RawRow, old: null });
        else if (message.tag === 'update') this.open.changes.push({ type: 'UPDATE', relation, record: message.new as RawRow, old: (message.old ?? message.key) as RawRow | null });
        else this.open.changes.push({ type: 'DELETE', relation, record: null, old: (message.old ?? message.key) as RawRow | null });
        return;
      }
      case 'commit': {
        const open = this.open;
        this.open = null;
        if (!open || !message.commitEndLsn) return;
        if (open.dropped) this.options.log.warn({ dropped: open.dropped }, 'realtime: transaction too large, some changes not broadcast');
        const endLsn = lsnToBigInt(message.commitEndLsn);
        // Replayed after a reconnect but already handled (or queued) by this process: never twice.
        if (endLsn <= this.confirmed || endLsn <= this.accepted) return;
        this.accepted = endLsn;
        // The library already shifted the commit time to the Unix epoch.
        const ms = Number(BigInt(message.commitTime.toString()) / 1000n);
        this.queue.push({ xid: open.xid, endLsn, commitTimestamp: new Date(ms).toISOString(), changes: open.changes });
        if (this.queue.length > PAUSE_ABOVE && !this.paused) this.pause(true);
        void this.drain();
        return;
      }
      default:
        return;
    }
  }

  private pause(on: boolean): void {
    const stream = (this.service as unknown as { _connection?: { stream?: { pause(): void; resume(): void } } })?._connection?.stream;
    if (on) stream?.pause();
    else stream?.resume();
    this.paused = on;
  }

  private take(): { batch: Transaction[]; ready: Promise<() => void> } | null {
    if (!this.queue.length) return null;
    const batch = this.queue.splice(0, this.queue.length);
    const ready = this.options.prepare(batch);
    ready.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
    return { batch, ready };
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      let next = this.take();
      while (next) {
        const current = next;
        let deliver: () => void;
        try {
          deliver = await current.ready;
        } catch (err) {
          // Not confirmed: drop the connection so the slot streams these again.
          this.options.log.warn({ err }, 'realtime: could not process changes, replaying');
          this.queue = [];
          this.open = null;
          this.accepted = this.confirmed; // what was dropped here must be taken again
          await this.service?.stop().catch(() => {});
          return;
        }
        // The next batch's database work runs while this one is sent.
        next = this.take();
        deliver();
        const end = current.batch[current.batch.length - 1].endLsn;
        if (end > this.confirmed) this.confirmed = end;
        this.sendStatus(this.confirmed);
        if (this.paused && this.queue.length < PAUSE_ABOVE / 4) this.pause(false);
        if (!next) next = this.take();
      }
    } finally {
      this.processing = false;
    }
  }

  /** Standby status update confirming `lsn` exactly (the library's own adds one byte). */
  private sendStatus(lsn: bigint): void {
    if (lsn === 0n) return;
    const connection = (this.service as unknown as { _connection?: { sendCopyFromChunk(b: Buffer): void } })?._connection;
    if (!connection) return;
    const buf = Buffer.alloc(34);
    buf[0] = 0x72; // 'r'
    buf.writeBigUInt64BE(lsn, 1); // written
    buf.writeBigUInt64BE(lsn, 9); // flushed
    buf.writeBigUInt64BE(lsn, 17); // applied
    buf.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
    buf[33] = 0;
    try {
      connection.sendCopyFromChunk(buf);
    } catch {
      // The connection is gone; the next one resumes from the slot.
    }
  }
}

const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);
