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
/** How long a table's columns, key and privileges are trusted without a relation message. */
const META_TTL_MS = 5_000;
/** RLS checks of one batch use at most this many connections (of the shared API pool)... */
const MAX_RLS_CONNECTIONS = 3;
/** ...each checking at least this many identities. */
const MIN_IDENTITIES_PER_CONNECTION = 16;

interface RelationMeta {
  rls: boolean;
  columns: { name: string; type: string }[];
  pk: string[];
  /** The key columns' types, as SQL (format_type). */
  pkTypes: string[];
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

  /**
   * Does a batch's database work (typing rows, RLS checks) and returns the delivery step, so
   * the caller can overlap the next batch's queries with this batch's sending.
   */
  async prepare(batch: Transaction[]): Promise<() => void> {
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
    if (!pending.length) return () => {};
    const metas = await this.relationMetas(pending);
    // Typing the rows (admin pool) and checking RLS (as each subscriber) are independent.
    const [rows, visible] = await Promise.all([this.typedRows(pending), this.checkRls(pending, metas)]);
    return () => {
      pending.forEach((p, i) => this.deliver(p, metas.get(p.qualified), rows[i], visible[i]));
      if (this.log.isLevelEnabled('debug')) {
        this.log.debug({ changes: pending.map((p, i) => ({ xid: p.xid, type: p.change.type, table: p.qualified, candidates: p.candidates.length, visibleTo: visible[i] ? visible[i]!.size : 'all' })) }, 'realtime: dispatched');
      }
      realtimeLag.set(Math.max(0, Date.now() - Date.parse(pending[pending.length - 1].commitTimestamp)) / 1000);
    };
  }

  /** Forgets what is known of a table (pgoutput resends a relation after DDL or a grant). */
  invalidate(schema: string, table: string): void {
    this.metaCache.delete(`${ident(schema)}.${ident(table)}`);
  }

  private metaCache = new Map<string, { meta: RelationMeta | undefined; at: number }>();

  /** Each relation's columns, key, RLS flag and per-role privileges: cached briefly, one round trip on a miss. */
  private async relationMetas(pending: Pending[]): Promise<Map<string, RelationMeta | undefined>> {
    const wanted = new Map<string, Set<string>>();
    for (const p of pending) {
      const roles = wanted.get(p.qualified) ?? new Set<string>();
      for (const c of p.candidates) roles.add(c.member.identity.role);
      wanted.set(p.qualified, roles);
    }
    const metas = new Map<string, RelationMeta | undefined>();
    const missing: [string, string[]][] = [];
    const now = Date.now();
    for (const [qualified, roles] of wanted) {
      const hit = this.metaCache.get(qualified);
      if (hit && now - hit.at < META_TTL_MS && hit.meta && [...roles].every((r) => r in hit.meta!.selectable)) metas.set(qualified, hit.meta);
      else missing.push([qualified, [...new Set([...roles, ...Object.keys(hit?.meta?.selectable ?? {})])]]);
    }
    if (!missing.length) return metas;
    const statements = missing.map(
      ([qualified, roles]) => `select jsonb_build_object(
        'rls', c.relrowsecurity,
        'columns', (select coalesce(jsonb_agg(jsonb_build_object('name', a.attname, 'type', t.typname) order by a.attnum), '[]')
                    from pg_attribute a join pg_type t on t.oid = a.atttypid
                    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
        'pk', (select coalesce(jsonb_agg(a.attname order by a.attnum), '[]') from pg_index i
               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
               where i.indrelid = c.oid and i.indisprimary),
        'pkTypes', (select coalesce(jsonb_agg(format_type(a.atttypid, a.atttypmod) order by a.attnum), '[]') from pg_index i
               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
               where i.indrelid = c.oid and i.indisprimary),
        'selectable', (select coalesce(jsonb_object_agg(r.role, (
                         select coalesce(jsonb_agg(a.attname order by a.attnum), '[]') from pg_attribute a
                         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                           and pg_catalog.has_column_privilege(r.role, c.oid, a.attname, 'SELECT'))), '{}')
                       from unnest(array[${roles.map(lit).join(',')}]::text[]) r(role)
                       where exists (select 1 from pg_roles where rolname = r.role))
      ) as meta from pg_class c where c.oid = to_regclass(${lit(qualified)})`,
    );
    const result = await runStatements(this.adminPool, statements);
    missing.forEach(([qualified], i) => {
      const meta = result[i].rows[0]?.meta as RelationMeta | undefined;
      this.metaCache.set(qualified, { meta, at: now });
      metas.set(qualified, meta);
    });
    return metas;
  }

  /** Each change's rows as Supabase types them: to_jsonb of the table's row type. One round trip. */
  private async typedRows(pending: Pending[]): Promise<{ record: Record<string, unknown> | null; old: Record<string, unknown> | null }[]> {
    const statements = pending.map((p) => {
      const typed = (row: string | null) =>
        row === null ? 'null::jsonb' : `(select to_jsonb(r) from jsonb_populate_record(null::${p.qualified}, ${lit(row)}::jsonb) r)`;
      return `select ${typed(rowJson(p.change, p.change.record))} as record, ${typed(rowJson(p.change, p.change.old))} as old`;
    });
    const result = await runStatements(this.adminPool, statements);
    return pending.map((_, i) => {
      const r = result[i].rows[0] ?? {};
      return { record: (r.record ?? null) as Record<string, unknown> | null, old: (r.old ?? null) as Record<string, unknown> | null };
    });
  }

  /**
   * For INSERT/UPDATE on RLS tables: per distinct identity, in one transaction that switches
   * role and claims per identity, whether each row is visible by primary key.
   * Returns per pending change the set of identity keys that may see it (undefined: no check needed).
   */
  private async checkRls(pending: Pending[], metas: Map<string, RelationMeta | undefined>): Promise<(Set<string> | undefined)[]> {
    const visible: (Set<string> | undefined)[] = pending.map(() => undefined);
    // Per identity, per table: the keys to look up (one query per identity and table).
    type Lookup = { meta: RelationMeta; qualified: string; keys: Map<string, { values: string[]; indexes: number[] }> };
    const checks = new Map<string, { member: Member; tables: Map<string, Lookup> }>();
    pending.forEach((p, index) => {
      const meta = metas.get(p.qualified);
      if (!meta?.rls || p.change.type === 'DELETE' || !meta.pk.length) return;
      const record = p.change.record;
      if (!record) return;
      visible[index] = new Set();
      const values = meta.pk.map((col) => record[col]);
      if (values.some((v) => v === null || v === undefined)) return;
      const key = JSON.stringify(values);
      for (const c of p.candidates) {
        const selectable = meta.selectable[c.member.identity.role] ?? [];
        if (!meta.pk.every((col) => selectable.includes(col))) continue;
        const id = identityKey(c.member);
        const entry = checks.get(id) ?? { member: c.member, tables: new Map<string, Lookup>() };
        checks.set(id, entry);
        const lookup = entry.tables.get(p.qualified) ?? { meta, qualified: p.qualified, keys: new Map() };
        entry.tables.set(p.qualified, lookup);
        const k = lookup.keys.get(key) ?? { values: values as string[], indexes: [] };
        lookup.keys.set(key, k);
        if (!k.indexes.includes(index)) k.indexes.push(index);
      }
    });
    if (!checks.size) return visible;

    const scope = (member: Member) =>
      `select set_config('role', ${lit(member.identity.role)}, true), set_config('request.jwt.claims', ${lit(JSON.stringify(member.identity.claims))}, true)`;
    const lookupSql = (l: Lookup) => {
      const cols = l.meta.pk.map(ident);
      const tuples = [...l.keys.values()].map((k) => `(${k.values.map((v, i) => `${lit(v)}::${l.meta.pkTypes[i]}`).join(', ')})`);
      return `select coalesce(json_agg(json_build_array(${cols.map((c) => `${c}::text`).join(', ')})), '[]') as seen
                from ${l.qualified} where (${cols.join(', ')}) in (${tuples.join(', ')})`;
    };
    const apply = (id: string, lookups: Lookup[], results: pg.QueryResult[]) => {
      lookups.forEach((l, i) => {
        const seen = new Set(((results[i]?.rows[0]?.seen ?? []) as string[][]).map((v) => JSON.stringify(v)));
        for (const [key, k] of l.keys) if (seen.has(key)) for (const index of k.indexes) visible[index]!.add(id);
      });
    };
    const xids = [...new Set(pending.filter((_, i) => visible[i]).map((p) => p.xid))];
    const order = [...checks.keys()];
    // Many identities: split them over a few connections so Postgres checks them in parallel.
    const chunkSize = Math.max(MIN_IDENTITIES_PER_CONNECTION, Math.ceil(order.length / MAX_RLS_CONNECTIONS));
    const chunks: string[][] = [];
    for (let i = 0; i < order.length; i += chunkSize) chunks.push(order.slice(i, i + chunkSize));
    await Promise.all(
      chunks.map(async (ids) => {
        try {
          const statements = ['begin read only', waitUntilVisible(xids)];
          const offsets: number[] = [];
          for (const id of ids) {
            const { member, tables } = checks.get(id)!;
            statements.push(scope(member));
            offsets.push(statements.length);
            statements.push(...[...tables.values()].map(lookupSql));
          }
          statements.push('rollback');
          const results = await runStatements(this.apiPool, statements);
          ids.forEach((id, i) => apply(id, [...checks.get(id)!.tables.values()], results.slice(offsets[i])));
        } catch (err) {
          // One identity's check failed (e.g. a policy raising): check each identity on its own.
          this.log.debug({ err }, 'realtime: batched RLS check failed, checking one by one');
          for (const id of ids) {
            const { member, tables } = checks.get(id)!;
            const lookups = [...tables.values()];
            try {
              const r = await runStatements(this.apiPool, ['begin read only', waitUntilVisible(xids), scope(member), ...lookups.map(lookupSql), 'rollback']);
              apply(id, lookups, r.slice(3));
            } catch (e) {
              this.log.warn({ err: e, role: member.identity.role }, 'realtime: RLS check failed; change withheld');
            }
          }
        }
      }),
    );
    return visible;
  }

  private deliver(
    p: Pending,
    meta: RelationMeta | undefined,
    row: { record: Record<string, unknown> | null; old: Record<string, unknown> | null },
    visible: Set<string> | undefined,
  ): void {
    if (!meta) return; // the table is gone
    // The data part depends only on the subscriber's role: encode it once per role.
    const encoded = new Map<string, string>();
    let sent = 0;
    for (const { member, ids } of p.candidates) {
      if (!member.active) continue;
      const role = member.identity.role;
      const selectable = meta.selectable[role] ?? [];
      const unauthorized = p.change.type !== 'DELETE' && (!meta.pk.length || !meta.pk.every((c) => selectable.includes(c)));
      if (!unauthorized && visible && !visible.has(identityKey(member))) continue;
      let data = encoded.get(role);
      if (data === undefined) encoded.set(role, (data = JSON.stringify(this.changeData(p, meta, row, selectable, unauthorized))));
      member.outlet.pushEncoded(member.topic, 'postgres_changes', `{"ids":${JSON.stringify(ids)},"data":${data}}`);
      sent++;
    }
    if (sent) realtimeMessages.inc({ kind: 'postgres_changes' }, sent);
  }

  /** The `data` of a postgres_changes message as Realtime builds it for one role. */
  private changeData(
    p: Pending,
    meta: RelationMeta,
    row: { record: Record<string, unknown> | null; old: Record<string, unknown> | null },
    selectable: string[],
    unauthorized: boolean,
  ): Record<string, unknown> {
    const { change } = p;
    const base = { schema: change.relation.schema, table: change.relation.name, commit_timestamp: p.commitTimestamp, type: change.type };
    if (unauthorized) {
      const error = meta.pk.length ? 'Error 401: Unauthorized' : 'Error 400: Bad Request, no primary key';
      return { schema: base.schema, table: base.table, type: base.type, errors: [error] };
    }
    const pick = (rec: Record<string, unknown> | null, keep: (k: string) => boolean) => {
      const out: Record<string, unknown> = {};
      if (!rec) return out;
      for (const k of Object.keys(rec)) if (selectable.includes(k) && keep(k)) out[k] = rec[k];
      return out;
    };
    const data: Record<string, unknown> = { ...base, columns: meta.columns.filter((c) => selectable.includes(c.name)), errors: null };
    if (change.type !== 'DELETE') data.record = pick(row.record, () => true);
    if (change.type === 'UPDATE') {
      // Without REPLICA IDENTITY FULL an unchanged key is not resent: the old record is the key.
      const old = row.old ?? (row.record ? Object.fromEntries(meta.pk.map((k) => [k, row.record![k]])) : null);
      data.old_record = pick(old, () => true);
    }
    // Under RLS a deleted row cannot be checked, so only its key goes out.
    if (change.type === 'DELETE') data.old_record = pick(row.old, (k) => !meta.rls || meta.pk.includes(k));
    return data;
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
