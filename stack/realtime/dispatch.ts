import type pg from 'pg';
import type { Logger } from 'pino';
import { realtimeLag, realtimeMessages } from '../gateway/metrics.js';
import { visibleThroughFilters } from './filters.js';
import type { Hub, Member } from './hub.js';
import { changeData, rowJson, type TypedRows } from './payload.js';
import { RelationCatalog, type RelationMeta } from './relations.js';
import type { RowChange, Transaction } from './replication.js';
import { checkRls, identityKey } from './rls.js';
import { ident, lit } from '../db/sql.js';
import { runStatements } from './sql.js';

// Turns committed changes into postgres_changes messages, deciding per subscriber as Supabase's
// realtime.apply_rls does: matching bindings (event, table, filters), the role's right to SELECT
// the primary key (else "Error 401: Unauthorized"), RLS by primary key (rls.ts). Values are typed
// in SQL (to_jsonb of the table's row type), so payloads match Supabase's (payload.ts).

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

export class ChangeDispatcher {
  private readonly relations: RelationCatalog;

  constructor(
    private readonly hub: Hub,
    private readonly adminPool: pg.Pool,
    private readonly apiPool: pg.Pool,
    private readonly log: Logger,
  ) {
    this.relations = new RelationCatalog(adminPool);
  }

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
    const wanted = new Map<string, Set<string>>();
    for (const p of pending) {
      const roles = wanted.get(p.qualified) ?? new Set<string>();
      for (const c of p.candidates) roles.add(c.member.identity.role);
      wanted.set(p.qualified, roles);
    }
    const metas = await this.relations.get(wanted);
    // Typing the rows (admin pool) and checking RLS (as each subscriber) are independent.
    const [rows, visible] = await Promise.all([this.typedRows(pending), checkRls(this.apiPool, this.log, pending, metas)]);
    return () => {
      pending.forEach((p, i) => {
        this.deliver(p, metas.get(p.qualified), rows[i], visible[i]);
      });
      if (this.log.isLevelEnabled('debug')) {
        this.log.debug({ changes: pending.map((p, i) => ({ xid: p.xid, type: p.change.type, table: p.qualified, candidates: p.candidates.length, visibleTo: visible[i] ? visible[i]!.size : 'all' })) }, 'realtime: dispatched');
      }
      realtimeLag.set(Math.max(0, Date.now() - Date.parse(pending[pending.length - 1].commitTimestamp)) / 1000);
    };
  }

  /** Forgets what is known of a table (pgoutput resends a relation after DDL or a grant). */
  invalidate(schema: string, table: string): void {
    this.relations.invalidate(schema, table);
  }

  /** Each change's rows as Supabase types them: to_jsonb of the table's row type. One round trip. */
  private async typedRows(pending: Pending[]): Promise<TypedRows[]> {
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

  private deliver(
    p: Pending,
    meta: RelationMeta | undefined,
    row: TypedRows,
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
      if (data === undefined) encoded.set(role, (data = JSON.stringify(changeData(p, meta, row, selectable, unauthorized))));
      member.outlet.pushEncoded(member.topic, 'postgres_changes', `{"ids":${JSON.stringify(ids)},"data":${data}}`);
      sent++;
    }
    if (sent) realtimeMessages.inc({ kind: 'postgres_changes' }, sent);
  }
}
