import type pg from 'pg';
import { ident, lit } from '../db/sql.js';
import { runStatements } from './sql.js';

// What the change pipeline needs to know of a published table: its columns and their types,
// its primary key, whether RLS is on, and which columns each role may SELECT. Kept briefly, and
// forgotten as soon as pgoutput describes the table again (after DDL or a grant).

export interface RelationMeta {
  rls: boolean;
  columns: { name: string; type: string }[];
  pk: string[];
  /** The key columns' types, as SQL (format_type). */
  pkTypes: string[];
  /** Per role: the columns it may SELECT. */
  selectable: Record<string, string[]>;
}

/** How long a table's description is trusted without pgoutput describing it again. */
const META_TTL_MS = 5_000;

export class RelationCatalog {
  private cache = new Map<string, { meta: RelationMeta | undefined; at: number }>();

  constructor(private readonly pool: pg.Pool) {}

  invalidate(schema: string, table: string): void {
    this.cache.delete(`${ident(schema)}.${ident(table)}`);
  }

  /** Each wanted table (quoted name → the roles asking): cached entries, one round trip for the rest. */
  async get(wanted: Map<string, Set<string>>): Promise<Map<string, RelationMeta | undefined>> {
    const metas = new Map<string, RelationMeta | undefined>();
    const missing: [string, string[]][] = [];
    const now = Date.now();
    for (const [qualified, roles] of wanted) {
      const hit = this.cache.get(qualified);
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
    const result = await runStatements(this.pool, statements);
    missing.forEach(([qualified], i) => {
      const meta = result[i].rows[0]?.meta as RelationMeta | undefined;
      this.cache.set(qualified, { meta, at: now });
      metas.set(qualified, meta);
    });
    return metas;
  }

}
