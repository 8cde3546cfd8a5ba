import pg from 'pg';
import { prepareValue } from 'pg/lib/utils.js';
import { serialize } from 'pg-protocol';

/**
 * Several statements written to Postgres at once and closed by a single Sync, as PostgREST's
 * pipelined sessions do: Postgres runs them in one implicit transaction, committed at the Sync
 * and rolled back on any error, so a request costs one round trip instead of one per statement
 * plus BEGIN and COMMIT. Each statement is prepared once per connection (by its text, values as
 * parameters), so Postgres parses and plans a request's shape once rather than on every call.
 *
 * It is a node-postgres Submittable: the client hands it the connection while nothing else uses
 * it, and passes it every backend message until ReadyForQuery (or the first error).
 */

export interface PipelineStatement {
  text: string;
  values: unknown[];
}

/**
 * Where a pipeline's messages go: collected, then written to the connection's socket as one
 * buffer (one write, rather than a queued write per message flushed as one writev).
 */
class Wire {
  private readonly parts: Buffer[] = [];

  parse(msg: { text: string; name: string }): void {
    this.parts.push(serialize.parse(msg));
  }

  bind(msg: { statement: string; values: unknown[]; valueMapper: (v: unknown) => unknown }): void {
    this.parts.push(serialize.bind(msg as Parameters<typeof serialize.bind>[0]));
  }

  describe(msg: { type: 'P'; name: string }): void {
    this.parts.push(serialize.describe(msg));
  }

  execute(msg: { portal: string }): void {
    this.parts.push(serialize.execute(msg));
  }

  close(msg: { type: 'S'; name: string }): void {
    this.parts.push(serialize.close(msg));
  }

  sync(): void {
    this.parts.push(serialize.sync());
  }

  /** Writes everything collected; false when the socket no longer takes writes. */
  send(stream: { writable: boolean; write(b: Buffer): boolean }): void {
    if (stream.writable) stream.write(Buffer.concat(this.parts));
  }
}

interface Field {
  name: string;
  dataTypeID: number;
  format: string;
}

/** Statements a connection keeps prepared; beyond this the least recently used is closed. */
const MAX_PREPARED = 200;
let nextName = 0;

/** The statements prepared on one connection, by text, least recently used first. */
class PreparedStatements {
  /** ready: Postgres has it; otherwise a pipeline that sent its Parse failed, so it may or may not exist */
  private readonly byText = new Map<string, { name: string; ready: boolean; sent: boolean }>();
  private readonly toClose: string[] = [];

  /**
   * Closes the statements evicted so far. Written first in a pipeline, before anything that can
   * fail: after an error Postgres skips every message up to the Sync, and a skipped Close would
   * leave its statement behind for good.
   */
  closeEvicted(wire: Wire): void {
    for (const name of this.toClose.splice(0)) wire.close({ type: 'S', name });
  }

  /** Writes what binding `text` needs first (nothing, a Parse, or Close + Parse); returns the name. */
  prepare(wire: Wire, text: string): { name: string; ready: boolean } {
    let entry = this.byText.get(text);
    if (entry) this.byText.delete(text);
    else entry = { name: `agora_${(nextName++).toString(36)}`, ready: false, sent: false };
    this.byText.set(text, entry);
    if (!entry.ready) {
      // closing a statement that does not exist is not an error, so a half-made one goes first
      if (entry.sent) wire.close({ type: 'S', name: entry.name });
      wire.parse({ text, name: entry.name });
      entry.sent = true;
    }
    if (this.byText.size > MAX_PREPARED) {
      const [oldest, { name }] = this.byText.entries().next().value!;
      this.byText.delete(oldest);
      this.toClose.push(name);
    }
    return entry;
  }

  /** After a pipeline succeeded: every statement it parsed exists. */
  confirm(texts: string[]): void {
    for (const text of texts) {
      const entry = this.byText.get(text);
      if (entry) entry.ready = true;
    }
  }

  /**
   * After a pipeline failed: its statements are closed and parsed again on next use, since a
   * Parse may not have run, and a plan whose result type changed fails until it is re-made.
   */
  doubt(texts: string[]): void {
    for (const text of texts) {
      const entry = this.byText.get(text);
      if (entry) entry.ready = false;
    }
  }
}

const preparedByConnection = new WeakMap<object, PreparedStatements>();

export class Pipeline implements pg.Submittable {
  /** rows of the last statement, once Postgres has committed the transaction */
  readonly result: Promise<Array<Record<string, unknown>>>;
  private resolve!: (rows: Array<Record<string, unknown>>) => void;
  private reject!: (err: unknown) => void;
  private completed = 0;
  private fields: Field[] = [];
  private parsers: Array<(raw: string) => unknown> = [];
  private readonly rows: Array<Record<string, unknown>> = [];
  private prepared?: PreparedStatements;
  private failed: unknown = null;

  constructor(private readonly statements: PipelineStatement[]) {
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    const wire = new Wire();
    let prepared = preparedByConnection.get(connection);
    if (!prepared) preparedByConnection.set(connection, (prepared = new PreparedStatements()));
    this.prepared = prepared;
    try {
      prepared.closeEvicted(wire);
      this.statements.forEach((st, i) => {
        const { name } = prepared.prepare(wire, st.text);
        wire.bind({ statement: name, values: st.values, valueMapper: prepareValue });
        // only the last statement's rows are read, so only its row description is asked for
        if (i === this.statements.length - 1) wire.describe({ type: 'P', name: '' });
        wire.execute({ portal: '' });
      });
      wire.sync();
    } catch (err) {
      // a value that cannot be serialised: nothing was executed yet, Sync ends the pipeline
      wire.sync();
      this.failed = err;
    } finally {
      wire.send((connection as unknown as { stream: { writable: boolean; write(b: Buffer): boolean } }).stream);
    }
  }

  handleRowDescription(msg: { fields: Field[] }): void {
    this.fields = msg.fields;
    this.parsers = msg.fields.map((f) => pg.types.getTypeParser(f.dataTypeID, f.format === 'binary' ? 'binary' : 'text') as (raw: string) => unknown);
  }

  handleDataRow(msg: { fields: Array<string | null> }): void {
    if (this.completed !== this.statements.length - 1) return;
    const row: Record<string, unknown> = {};
    for (let i = 0; i < this.fields.length; i++) {
      const raw = msg.fields[i];
      row[this.fields[i].name] = raw === null ? null : this.parsers[i](raw);
    }
    this.rows.push(row);
  }

  handleCommandComplete(): void {
    this.completed++;
  }

  handleEmptyQuery(): void {
    this.completed++;
  }

  handleError(err: unknown): void {
    // the client stops passing messages here
    this.prepared?.doubt(this.statements.map((s) => s.text));
    this.reject(err);
  }

  handleReadyForQuery(): void {
    if (this.failed) {
      this.handleError(this.failed);
      return;
    }
    this.prepared?.confirm(this.statements.map((s) => s.text));
    this.resolve(this.rows);
  }

  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
}
