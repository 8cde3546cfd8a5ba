import pg from 'pg';
import { realtimeLag, realtimeMessages } from '../gateway/metrics.js';
import type { Logger } from 'pino';
import { visibleThroughFilters } from './filters.js';
import type { Hub, Member } from './hub.js';
import type { RawRow, RowChange, Transaction } from './replication.js';

// Turns committed changes into postgres_changes messages, deciding per subscriber as Supabase's
// realtime.apply_rls does: the subscriber's role must be able to SELECT the primary key columns
// (else it gets "Error 401: Unauthorized"); on a table with RLS, an INSERT or UPDATE reaches it
// only if, as its role and claims, the row is visible by primary key; a DELETE cannot be checked
// against a row that no longer exists, so under RLS its old record carries only the primary key.
// Values are typed in SQL (to_jsonb of the table's row type), so payloads match Supabase's.

const lit = (v: string) => pg.Client.prototype.escapeLiteral(v);
const ident = (v: string) => pg.Client.prototype.escapeIdentifier(v);

const JSON_TYPES = new Set([114, 3802]);

interface RelationMeta {
  rls: boolean;
  columns: { name: string; type: string }[];
  pk: string[];
  /** Per role: the columns it may SELECT. */
  selectable: Record<string, string[]>;
}

interface Candidate {
  member: Member;
  ids: number[];
}

interface Pending {
  xid: number;
  change: RowChange;
  commitTimestamp: string;
  candidates: Candidate[];
  qualified: string;
}

const matchesTable = (schema: string, table: string, change: RowChange) =>
  (schema === '*' || schema === change.relation.schema) && (table === '*' || table === change.relation.name);

function candidatesFor(hub: Hub, change: RowChange): Candidate[] {
  const out: Candidate[] = [];
  const types = new Map(change.relation.columns.map((c) => [c.name, c.typeOid]));
  for (const member of hub.changeMembers) {
    if (!member.active) continue;
    const ids: number[] = [];
    for (const { id, binding } of member.pgBindings) {
      if (binding.event !== '*' && binding.event !== change.type) continue;
      if (!matchesTable(binding.schema, binding.table, change)) continue;
      const visible =
        visibleThroughFilters(binding.filters, change.record, types) ||
        (change.type === 'DELETE' && visibleThroughFilters(binding.filters, change.old, types));
      if (visible && !ids.includes(id)) ids.push(id);
    }
    if (ids.length) out.push({ member, ids });
  }
  return out;
}

/** The row as JSON for jsonb_populate_record: text values, except json/jsonb which are parsed. */
function rowJson(change: RowChange, row: RawRow | null): string | null {
  if (!row) return null;
  const out: Record<string, unknown> = {};
  for (const col of change.relation.columns) {
    if (!(col.name in row) || row[col.name] === undefined) continue;
    const v = row[col.name];
    if (v !== null && JSON_TYPES.has(col.typeOid)) {
      try {
        out[col.name] = JSON.parse(v);
        continue;
      } catch {
        // fall through: keep the text
      }
    }
    out[col.name] = v;
  }
  return JSON.stringify(out);
}

const identityKey = (m: Member) => `${m.identity.role}\u0000${JSON.stringify(m.identity.claims)}`;

export class ChangeDispatcher {
  constructor(
    private readonly hub: Hub,
    private readonly adminPool: pg.Pool,
    private readonly apiPool: pg.Pool,
    private readonly log: Logger,
  ) {}

  async handle(batch: Transaction[]): Promise<void> {
    const pending: Pending[] = [];
    for (const tx of batch) {
      for (const change of tx.changes) {
        const candidates = candidatesFor(this.hub, change);
        if (candidates.length) {
          pending.push({
            xid: tx.xid,
            change,
            commitTimestamp: tx.commitTimestamp,
            candidates,
            qualified: `${ident(change.relation.schema)}.${ident(change.relation.name)}`,
          });
        }
      }
    }
    if (!pending.length) return;
    const { metas, rows } = await this.describe(pending);
    const visible = await this.checkRls(pending, metas, rows);
    pending.forEach((p, i) => this.deliver(p, metas.get(p.qualified), rows[i], visible[i]));
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ changes: pending.map((p, i) => ({ xid: p.xid, type: p.change.type, table: p.qualified, candidates: p.candidates.length, visibleTo: visible[i] ? visible[i]!.size : 'all' })) }, 'realtime: dispatched');
    }
    realtimeLag.set(Math.max(0, Date.now() - Date.parse(pending[pending.length - 1].commitTimestamp)) / 1000);
  }

  /** One round trip: each relation's columns, key, RLS flag and per-role privileges, and each change's typed rows. */
  private async describe(pending: Pending[]): Promise<{ metas: Map<string, RelationMeta | undefined>; rows: { record: Record<string, unknown> | null; old: Record<string, unknown> | null }[] }> {
    const relations = new Map<string, Set<string>>();
    for (const p of pending) {
      const roles = relations.get(p.qualified) ?? new Set<string>();
      for (const c of p.candidates) roles.add(c.member.identity.role);
      relations.set(p.qualified, roles);
    }
    const statements: string[] = [];
    const relationOrder = [...relations.keys()];
    for (const qualified of relationOrder) {
      const roles = [...relations.get(qualified)!];
      statements.push(`select jsonb_build_object(
        'rls', c.relrowsecurity,
        'columns', (select coalesce(jsonb_agg(jsonb_build_object('name', a.attname, 'type', t.typname) order by a.attnum), '[]')
                    from pg_attribute a join pg_type t on t.oid = a.atttypid
                    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
        'pk', (select coalesce(jsonb_agg(a.attname order by a.attnum), '[]') from pg_index i
               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
               where i.indrelid = c.oid and i.indisprimary),
        'selectable', (select coalesce(jsonb_object_agg(r.role, (
                         select coalesce(jsonb_agg(a.attname order by a.attnum), '[]') from pg_attribute a
                         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                           and pg_catalog.has_column_privilege(r.role, c.oid, a.attname, 'SELECT'))), '{}')
                       from unnest(array[${roles.map(lit).join(',')}]::text[]) r(role)
                       where exists (select 1 from pg_roles where rolname = r.role))
      ) as meta from pg_class c where c.oid = to_regclass(${lit(qualified)})`);
    }
    for (const p of pending) {
      const typed = (row: string | null) =>
        row === null ? 'null::jsonb' : `(select to_jsonb(r) from jsonb_populate_record(null::${p.qualified}, ${lit(row)}::jsonb) r)`;
      statements.push(`select ${typed(rowJson(p.change, p.change.record))} as record, ${typed(rowJson(p.change, p.change.old))} as old`);
    }
    const result = await runStatements(this.adminPool, statements);
    const metas = new Map<string, RelationMeta | undefined>();
    relationOrder.forEach((q, i) => metas.set(q, result[i].rows[0]?.meta as RelationMeta | undefined));
    const rows = pending.map((_, i) => {
      const r = result[relationOrder.length + i].rows[0] ?? {};
      return { record: (r.record ?? null) as Record<string, unknown> | null, old: (r.old ?? null) as Record<string, unknown> | null };
    });
    return { metas, rows };
  }

  /**
   * For INSERT/UPDATE on RLS tables: per distinct identity, in one transaction that switches
   * role and claims per identity, whether each row is visible by primary key.
   * Returns per pending change the set of identity keys that may see it (undefined: no check needed).
   */
  private async checkRls(
    pending: Pending[],
    metas: Map<string, RelationMeta | undefined>,
    rows: { record: Record<string, unknown> | null }[],
  ): Promise<(Set<string> | undefined)[]> {
    const visible: (Set<string> | undefined)[] = pending.map(() => undefined);
    const checks = new Map<string, { member: Member; items: { index: number; sql: string }[] }>();
    pending.forEach((p, index) => {
      const meta = metas.get(p.qualified);
      if (!meta?.rls || p.change.type === 'DELETE' || !meta.pk.length) return;
      const record = p.change.record;
      if (!record || !rows[index].record) return;
      visible[index] = new Set();
      const where = meta.pk
        .map((col) => {
          const text = record[col] ?? null;
          return text === null ? `${ident(col)} is null` : `${ident(col)} = ${lit(text)}`;
        })
        .join(' and ');
      for (const c of p.candidates) {
        const selectable = meta.selectable[c.member.identity.role] ?? [];
        if (!meta.pk.every((col) => selectable.includes(col))) continue;
        const key = identityKey(c.member);
        const entry = checks.get(key) ?? { member: c.member, items: [] };
        if (!entry.items.some((it) => it.index === index)) {
          entry.items.push({ index, sql: `exists(select 1 from ${p.qualified} where ${where})` });
        }
        checks.set(key, entry);
      }
    });
    if (!checks.size) return visible;
    const seenBy = new Map<string, boolean[]>();
    const scope = (member: Member, items: { sql: string }[]) => [
      `select set_config('role', ${lit(member.identity.role)}, true), set_config('request.jwt.claims', ${lit(JSON.stringify(member.identity.claims))}, true)`,
      `select array[${items.map((it) => it.sql).join(', ')}]::bool[] as seen`,
    ];
    const order = [...checks.keys()];
    const xids = [...new Set(pending.filter((_, i) => visible[i]).map((p) => p.xid))];
    try {
      const statements = ['begin read only', waitUntilVisible(xids), ...order.flatMap((key) => scope(checks.get(key)!.member, checks.get(key)!.items)), 'rollback'];
      const results = await runStatements(this.apiPool, statements);
      order.forEach((key, i) => seenBy.set(key, (results[3 + i * 2]?.rows[0]?.seen ?? []) as boolean[]));
    } catch (err) {
      // One identity's check failed (e.g. a policy raising): check each identity on its own.
      this.log.debug({ err }, 'realtime: batched RLS check failed, checking one by one');
      for (const key of order) {
        const { member, items } = checks.get(key)!;
        try {
          const r = await runStatements(this.apiPool, ['begin read only', waitUntilVisible(xids), ...scope(member, items), 'rollback']);
          seenBy.set(key, (r[3]?.rows[0]?.seen ?? []) as boolean[]);
        } catch (e) {
          this.log.warn({ err: e, role: member.identity.role }, 'realtime: RLS check failed; change withheld');
        }
      }
    }
    for (const [key, seen] of seenBy) {
      checks.get(key)!.items.forEach((it, j) => {
        if (seen[j]) visible[it.index]!.add(key);
      });
    }
    return visible;
  }

  private deliver(
    p: Pending,
    meta: RelationMeta | undefined,
    row: { record: Record<string, unknown> | null; old: Record<string, unknown> | null },
    visible: Set<string> | undefined,
  ): void {
    if (!meta) return; // the table is gone
    const { change } = p;
    for (const { member, ids } of p.candidates) {
      if (!member.active) continue;
      const selectable = meta.selectable[member.identity.role] ?? [];
      const base = { schema: change.relation.schema, table: change.relation.name, commit_timestamp: p.commitTimestamp, type: change.type };
      let data: Record<string, unknown>;
      if (change.type !== 'DELETE' && (!meta.pk.length || !meta.pk.every((c) => selectable.includes(c)))) {
        const error = meta.pk.length ? 'Error 401: Unauthorized' : 'Error 400: Bad Request, no primary key';
        data = { schema: base.schema, table: base.table, type: base.type, errors: [error] };
      } else {
        if (visible && !visible.has(identityKey(member))) continue;
        const pick = (rec: Record<string, unknown> | null, keys: (k: string) => boolean) => {
          const out: Record<string, unknown> = {};
          if (!rec) return out;
          for (const k of Object.keys(rec)) if (selectable.includes(k) && keys(k)) out[k] = rec[k];
          return out;
        };
        data = { ...base, columns: meta.columns.filter((c) => selectable.includes(c.name)), errors: null };
        if (change.type !== 'DELETE') data.record = pick(row.record, () => true);
        if (change.type === 'UPDATE') {
          // Without REPLICA IDENTITY FULL an unchanged key is not resent: the old record is the key.
          const old = row.old ?? (row.record ? Object.fromEntries(meta.pk.map((k) => [k, row.record![k]])) : null);
          data.old_record = pick(old, () => true);
        }
        if (change.type === 'DELETE') data.old_record = pick(row.old, (k) => !meta.rls || meta.pk.includes(k));
      }
      realtimeMessages.inc({ kind: 'postgres_changes' });
      member.outlet.push(member.topic, 'postgres_changes', { ids, data }, null);
    }
  }
}

/**
 * A commit can be decoded before the committing backend has left the proc array, i.e. before a
 * new snapshot sees it. Waits (briefly) until every given transaction is visible, so that the
 * following statements (read committed: each takes a fresh snapshot) see their rows.
 */
function waitUntilVisible(xids: number[]): string {
  return `do $wait$
declare
  pending bigint[] := array[${xids.map((x) => String(x >>> 0)).join(',') || 'null'}]::bigint[];
  snap pg_snapshot;
  top bigint;
  full_xid bigint;
  x bigint;
  ok boolean;
begin
  for attempt in 1..200 loop
    snap := pg_current_snapshot();
    top := pg_snapshot_xmax(snap)::text::bigint;
    ok := true;
    foreach x in array pending loop
      continue when x is null;
      full_xid := ((top >> 32) << 32) | x;
      -- The 32-bit xid is in the snapshot's epoch unless that puts it half a wraparound away.
      if full_xid > top + 2147483648 then full_xid := full_xid - 4294967296; end if;
      if full_xid < top - 2147483648 then full_xid := full_xid + 4294967296; end if;
      if full_xid > 0 and not pg_visible_in_snapshot(full_xid::text::xid8, snap) then ok := false; exit; end if;
    end loop;
    exit when ok;
    perform pg_sleep(0.005);
  end loop;
end
$wait$`;
}

/** Runs several statements in one round trip (simple query protocol) on one pooled connection. */
async function runStatements(pool: pg.Pool, statements: string[]): Promise<pg.QueryResult[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    const result = (await client.query(statements.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
    return Array.isArray(result) ? result : [result];
  } catch (err) {
    await client.query('rollback').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
