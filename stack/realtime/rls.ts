import type pg from 'pg';
import type { Logger } from 'pino';
import type { Member } from './hub.js';
import type { RelationMeta } from './relations.js';
import type { RowChange } from './replication.js';
import { ident, lit } from '../db/sql.js';
import { runStatements } from './sql.js';
import { roleSettingsFor } from '../db/role-settings.js';

// Who may see a changed row, checked in the database as Supabase's realtime.apply_rls does: as
// each subscriber's role with its JWT claims, is the row visible by primary key? (A DELETE cannot
// be checked against a row that is gone; see payload.ts.) One query per identity and table,
// identities spread over a few connections.

/** RLS checks of one batch use at most this many connections (of realtime's pool)... */
const MAX_RLS_CONNECTIONS = 3;
/** ...each checking at least this many identities. */
const MIN_IDENTITIES_PER_CONNECTION = 16;

export interface RlsItem {
  xid: number;
  change: RowChange;
  qualified: string;
  candidates: { member: Member }[];
}

/** Subscribers with the same role and claims see the same rows. */
export const identityKey = (m: Member): string => `${m.identity.role}\u0000${JSON.stringify(m.identity.claims)}`;

/**
 * For INSERT/UPDATE on RLS tables: per distinct identity, in one transaction that switches
 * role and claims per identity, whether each row is visible by primary key.
 * Returns per pending change the set of identity keys that may see it (undefined: no check needed).
 */
export async function checkRls(
  apiPool: pg.Pool,
  log: Logger,
  pending: RlsItem[],
  metas: Map<string, RelationMeta | undefined>,
): Promise<(Set<string> | undefined)[]> {
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

  // the role, its own settings (statement_timeout...), then the claims, as every request scope sets them
  const scope = (member: Member) => {
    const settings = { role: member.identity.role, ...roleSettingsFor(apiPool, member.identity.role), 'request.jwt.claims': JSON.stringify(member.identity.claims) };
    return `select ${Object.entries(settings).map(([k, v]) => `set_config(${lit(k)}, ${lit(v)}, true)`).join(', ')}`;
  };
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
        const results = await runStatements(apiPool, statements);
        ids.forEach((id, i) => {
          apply(id, [...checks.get(id)!.tables.values()], results.slice(offsets[i]));
        });
      } catch (err) {
        // No answer at all (the server went away): the caller replays the batch later.
        if (checkUnavailable(err)) throw err;
        // One identity's check failed (e.g. a policy raising): check each identity on its own.
        log.debug({ err }, 'realtime: batched RLS check failed, checking one by one');
        for (const id of ids) {
          const { member, tables } = checks.get(id)!;
          const lookups = [...tables.values()];
          try {
            const r = await runStatements(apiPool, ['begin read only', waitUntilVisible(xids), scope(member), ...lookups.map(lookupSql), 'rollback']);
            apply(id, lookups, r.slice(3));
          } catch (e) {
            if (checkUnavailable(e)) throw e;
            log.warn({ err: e, role: member.identity.role }, 'realtime: RLS check failed; change withheld');
          }
        }
      }
    }),
  );
  return visible;
}

/**
 * The check did not run, as opposed to a policy of this identity failing: the connection or the
 * server is gone (crash, restart, terminated backend) or cannot take it now. Withholding the
 * change then would lose it for good once its transaction is confirmed, so it is retried instead.
 */
const CONNECTION_LOST = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/;

export function checkUnavailable(err: unknown): boolean {
  const { severity, code, message } = (err ?? {}) as { severity?: unknown; code?: unknown; message?: unknown };
  // Not reported by Postgres: a socket error (ECONNREFUSED, ECONNRESET...), a connection ended,
  // the pool's connect timeout. Anything else (a bug here) withholds, as before: a replay would
  // fail the same way every time and stall the stream.
  if (typeof severity !== 'string') {
    return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || CONNECTION_LOST.test(String(message ?? ''));
  }
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  const sqlState = typeof code === 'string' ? code : '';
  // connection exception, insufficient resources, operator intervention (not a statement
  // timeout: a policy that is too slow stays withheld), system error
  return /^(08|53|58)/.test(sqlState) || (sqlState.startsWith('57') && sqlState !== '57014');
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
