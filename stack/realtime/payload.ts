import type { RelationMeta } from './relations.js';
import type { RawRow, RowChange } from './replication.js';

// The shape of a postgres_changes message's `data`, as Realtime builds it from
// realtime.apply_rls's output: schema, table, commit_timestamp, type, columns, record,
// old_record and errors — only the columns the subscriber's role may SELECT.

const JSON_TYPES = new Set([114, 3802]);

export type TypedRows = { record: Record<string, unknown> | null; old: Record<string, unknown> | null };

/** The row as JSON for jsonb_populate_record: text values, except json/jsonb which are parsed. */
export function rowJson(change: RowChange, row: RawRow | null): string | null {
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

/** The `data` of a postgres_changes message as Realtime builds it for one role. */
export function changeData(
  p: { change: RowChange; commitTimestamp: string },
  meta: RelationMeta,
  row: TypedRows,
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
