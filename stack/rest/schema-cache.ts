import type pg from 'pg';
import { type DbConfig, type DbConfigBase, loadDbConfig } from './db-config.js';

/**
 * What PostgREST knows about the database: relations with their columns and keys, the
 * relationships between them (foreign keys, also through views and junction tables), and the
 * callable functions. Loaded from pg_catalog in a handful of queries, then only read.
 */

export interface Column {
  name: string;
  /** format_type() of the column, e.g. `integer`, `character varying(20)`, `text[]`. */
  type: string;
  nullable: boolean;
  /**
   * The default expression as text, for `Prefer: missing=default`: the column's, else its domain's;
   * `nextval` of a by-default identity; none for a generated column (inserting into it fails).
   */
  default: string | null;
  identity: '' | 'a' | 'd';
  generated: boolean;
  enumValues: string[] | null;
  description: string | null;
  position: number;
  /** pg_type.typcategory: 'A' array, 'C' composite (JSON paths on them go through to_jsonb) */
  category?: string;
}

export interface Relation {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  /** an ordinary table: its written rows can return xmax (0 when just inserted); a partitioned one cannot */
  heap?: boolean;
  columns: Column[];
  columnMap: Map<string, Column>;
  pk: string[];
  /** Column sets with a unique constraint or unique index (including the primary key). */
  uniques: string[][];
  insertable: boolean;
  updatable: boolean;
  deletable: boolean;
  description: string | null;
}

export type Cardinality = 'm2o' | 'o2m' | 'o2o' | 'm2m';

export interface Junction {
  table: Relation;
  constraint1: string;
  constraint2: string;
  /** (junction column, source column) pairs */
  sourceColumns: Array<[string, string]>;
  /** (junction column, target column) pairs */
  targetColumns: Array<[string, string]>;
}

export interface Relationship {
  table: Relation;
  foreign: Relation;
  cardinality: Cardinality;
  constraint: string;
  /** (column of `table`, column of `foreign`) pairs; empty for m2m and computed relationships */
  columns: Array<[string, string]>;
  junction?: Junction;
  /**
   * A computed relationship: a function taking a row of `table` and returning rows of `foreign`
   * (to-one with `rows 1` or without setof); `constraint` holds its name, which embeds it.
   */
  computed?: Routine;
}

export interface RoutineParam {
  name: string;
  type: string;
  required: boolean;
  variadic: boolean;
}

export interface Routine {
  schema: string;
  name: string;
  params: RoutineParam[];
  returnType: string;
  /** The relation whose row type the function returns, for select/filters/embedding on its result. */
  returnRelation: Relation | null;
  /** Returns a composite (a table's row type, a named composite or OUT/TABLE columns). */
  returnsComposite: boolean;
  returnsSet: boolean;
  returnsVoid: boolean;
  /** OUT/TABLE columns of the result, when the function declares them */
  outColumns: Array<{ name: string; type: string }>;
  volatility: 'i' | 's' | 'v';
  description: string | null;
}

export interface SchemaCache {
  schemas: string[];
  relations: Map<string, Relation>;
  /** keyed by `schema.table` of the relation the relationships start from */
  relationships: Map<string, Relationship[]>;
  routines: Map<string, Routine[]>;
  /** computed columns: functions taking a row of the relation, keyed by relation then function name */
  computed: Map<string, Map<string, Routine>>;
  /** the authenticator's `pgrst.*` settings over config.toml's, read with the cache */
  db: DbConfig;
  schemaDescriptions: Map<string, string | null>;
}

export const qualified = (schema: string, name: string) => `${schema}.${name}`;

const RELATIONS_SQL = `
select c.oid::int8 as oid, n.nspname as schema, c.relname as name, c.relkind as kind,
       obj_description(c.oid, 'pg_class') as description,
       c.relkind in ('r','p') or (pg_relation_is_updatable(c.oid, true) & 8) = 8 as insertable,
       c.relkind in ('r','p') or (pg_relation_is_updatable(c.oid, true) & 4) = 4 as updatable,
       c.relkind in ('r','p') or (pg_relation_is_updatable(c.oid, true) & 16) = 16 as deletable,
       coalesce(json_agg(json_build_object(
         'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', not a.attnotnull,
         'default', case when d.adbin is null and t.typbasetype <> 0 then pg_get_expr(t.typdefaultbin, 0)
                        when a.attidentity = 'd' then format('nextval(%L)', pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname))
                        when a.attgenerated <> '' then null
                        else pg_get_expr(d.adbin, d.adrelid) end, 'identity', a.attidentity, 'generated', a.attgenerated <> '',
         'enumValues', (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e
                         where e.enumtypid = coalesce(nullif(t.typbasetype, 0), a.atttypid)),
         'description', col_description(c.oid, a.attnum), 'position', a.attnum, 'category', t.typcategory) order by a.attnum)
         filter (where a.attnum > 0), '[]') as columns
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  left join pg_type t on t.oid = a.atttypid
  left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
 where c.relkind in ('r','v','m','f','p') and n.nspname = any($1)
 group by c.oid, n.nspname`;

const KEYS_SQL = `
select ns.nspname as schema, cl.relname as table, con.conname as name, con.contype as type,
       array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i)::text[] as columns,
       fns.nspname as ref_schema, fcl.relname as ref_table,
       array(select a.attname from unnest(con.confkey) with ordinality k(n, i)
               join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)::text[] as ref_columns
  from pg_constraint con
  join pg_class cl on cl.oid = con.conrelid
  join pg_namespace ns on ns.oid = cl.relnamespace
  left join pg_class fcl on fcl.oid = con.confrelid
  left join pg_namespace fns on fns.oid = fcl.relnamespace
 where con.contype in ('p','u','f') and ns.nspname = any($1)
union all
select ns.nspname, cl.relname, ic.relname, 'u',
       array(select a.attname from unnest(i.indkey) with ordinality k(n, o)
               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.n order by k.o)::text[],
       null, null, null
  from pg_index i
  join pg_class cl on cl.oid = i.indrelid
  join pg_class ic on ic.oid = i.indexrelid
  join pg_namespace ns on ns.oid = cl.relnamespace
 where i.indisunique and i.indpred is null and not (0 = any(i.indkey)) and ns.nspname = any($1)
   and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;

// The rewrite rule of a view names, for each output column, the table column it comes from
// (resorigtbl/resorigcol); PostgREST reads the same fields to carry keys through views.
const VIEW_COLUMNS_SQL = `
select n.nspname as schema, c.relname as name, r.ev_action::text as action
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_rewrite r on r.ev_class = c.oid and r.rulename = '_RETURN'
 where c.relkind in ('v','m') and n.nspname = any($1)`;

const TABLE_OIDS_SQL = `
select c.oid::int8 as oid, n.nspname as schema, c.relname as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r','p','v','m','f') and n.nspname = any($1)`;

const ROUTINES_SQL = `
select n.nspname as schema, p.proname as name, p.provolatile as volatility, p.proretset as returns_set,
       format_type(p.prorettype, null) as return_type,
       rt.typtype = 'c' or p.prorettype = 'record'::regtype as returns_composite,
       p.prorettype = 'void'::regtype as returns_void,
       rn.nspname as ret_schema, rc.relname as ret_table,
       obj_description(p.oid, 'pg_proc') as description,
       coalesce((
         select json_agg(json_build_object('name', coalesce(p.proargnames[k.i], ''),
                                           'type', format_type(k.t, null),
                                           'mode', coalesce(p.proargmodes[k.i], 'i'),
                                           'i', k.i,
                                           'rel', (select json_build_array(rn2.nspname, rc2.relname)
                                                     from pg_class rc2 join pg_namespace rn2 on rn2.oid = rc2.relnamespace
                                                    where rc2.reltype = k.t)) order by k.i)
           from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality k(t, i)
       ), '[]') as args,
       p.pronargs as nargs, p.pronargdefaults as ndefaults, p.prorows as rows
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  join pg_type rt on rt.oid = p.prorettype
  left join pg_class rc on rc.oid = rt.typrelid and rc.relkind in ('r','p','v','m','f')
  left join pg_namespace rn on rn.oid = rc.relnamespace
 where p.prokind = 'f' and n.nspname = any($1)`;

/**
 * What PostgREST lets /rpc call: not trigger functions, and only functions whose parameters all
 * have names, or that take one unnamed json, jsonb, text, xml or bytea body. (A function of a
 * row type may still be a computed column.)
 */
function callable(r: Routine): boolean {
  if (r.returnType === 'trigger' || r.returnType === 'event_trigger') return false;
  if (r.params.every((p) => p.name !== '')) return true;
  return r.params.length === 1 && ['json', 'jsonb', 'text', 'xml', 'bytea'].includes(r.params[0].type);
}

interface KeyRow {
  schema: string;
  table: string;
  name: string;
  type: 'p' | 'u' | 'f';
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
}

interface ForeignKey {
  name: string;
  table: Relation;
  columns: string[];
  ref: Relation;
  refColumns: string[];
}

/** For each view column, the base table column it shows unchanged: `view col → [table key, table col]`. */
function viewColumnSources(action: string, tableByOid: Map<number, string>): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  const re = /:resname (\S+) :ressortgroupref \d+ :resorigtbl (\d+) :resorigcol (\d+)/g;
  for (const m of action.matchAll(re)) {
    const table = tableByOid.get(Number(m[2]));
    if (!table || m[3] === '0') continue;
    out.set(m[1], [table, m[3]]);
  }
  return out;
}

/**
 * The catalog rows the cache is built from, as the queries return them: plain JSON, so a test can
 * build a cache from a saved copy without a database (tests/rest/fixtures/schema-cache.json).
 */
export interface SchemaCatalog {
  relations: pg.QueryResultRow[];
  keys: KeyRow[];
  views: Array<{ schema: string; name: string; action: string }>;
  tableOids: Array<{ oid: string; schema: string; name: string }>;
  routines: pg.QueryResultRow[];
  db: DbConfig;
  namespaces: Array<{ nspname: string; d: string | null }>;
}

export async function readSchemaCatalog(
  db: pg.Pool | pg.Client, schemas: string[], base: DbConfigBase = { maxRows: null, extraSearchPath: [] },
): Promise<SchemaCatalog> {
  const [rels, keys, views, oids, procs, dbConfig, nsp] = await Promise.all([
    db.query(RELATIONS_SQL, [schemas]),
    db.query<KeyRow>(KEYS_SQL, [schemas]),
    db.query(VIEW_COLUMNS_SQL, [schemas]),
    db.query(TABLE_OIDS_SQL, [schemas]),
    db.query(ROUTINES_SQL, [schemas]),
    loadDbConfig(db, base),
    db.query('select nspname, obj_description(oid, \'pg_namespace\') as d from pg_namespace where nspname = any($1)', [schemas]),
  ]);
  return {
    relations: rels.rows, keys: keys.rows, views: views.rows, tableOids: oids.rows, routines: procs.rows,
    db: dbConfig, namespaces: nsp.rows,
  };
}

export async function loadSchemaCache(db: pg.Pool | pg.Client, schemas: string[], base?: DbConfigBase): Promise<SchemaCache> {
  return buildSchemaCache(schemas, await readSchemaCatalog(db, schemas, base));
}

export function buildSchemaCache(schemas: string[], catalog: SchemaCatalog): SchemaCache {
  const relations = new Map<string, Relation>();
  for (const r of catalog.relations) {
    const columns: Column[] = r.columns;
    relations.set(qualified(r.schema, r.name), {
      schema: r.schema,
      name: r.name,
      kind: r.kind === 'r' || r.kind === 'p' || r.kind === 'f' ? 'table' : 'view',
      heap: r.kind === 'r',
      columns,
      columnMap: new Map(columns.map((c) => [c.name, c])),
      pk: [],
      uniques: [],
      insertable: r.insertable && r.kind !== 'm',
      updatable: r.updatable && r.kind !== 'm',
      deletable: r.deletable && r.kind !== 'm',
      description: r.description,
    });
  }

  const fks: ForeignKey[] = [];
  for (const k of catalog.keys) {
    const rel = relations.get(qualified(k.schema, k.table));
    if (!rel) continue;
    if (k.type === 'p') rel.pk = k.columns;
    if (k.type === 'p' || k.type === 'u') rel.uniques.push(k.columns);
    if (k.type === 'f' && k.ref_schema && k.ref_table) {
      const ref = relations.get(qualified(k.ref_schema, k.ref_table));
      if (ref) fks.push({ name: k.name, table: rel, columns: k.columns, ref, refColumns: k.ref_columns ?? [] });
    }
  }

  // Views inherit the keys and foreign keys of the base-table columns they expose unchanged.
  const attnames = new Map<string, Map<string, string>>(); // table key → attnum → name
  const tableByOid = new Map<number, string>(catalog.tableOids.map((o) => [Number(o.oid), qualified(o.schema, o.name)]));
  for (const r of catalog.relations) {
    attnames.set(qualified(r.schema, r.name), new Map((r.columns as Column[]).map((c) => [String(c.position), c.name])));
  }
  const viewMaps: Array<{ view: Relation; base: Map<string, Map<string, string>> }> = [];
  for (const v of catalog.views) {
    const view = relations.get(qualified(v.schema, v.name));
    if (!view) continue;
    const base = new Map<string, Map<string, string>>(); // table key → table col → view col
    for (const [viewCol, [table, attnum]] of viewColumnSources(v.action, tableByOid)) {
      const col = attnames.get(table)?.get(attnum);
      if (!col || !view.columnMap.has(viewCol)) continue;
      if (!base.has(table)) base.set(table, new Map());
      if (!base.get(table)!.has(col)) base.get(table)!.set(col, viewCol);
    }
    viewMaps.push({ view, base });
  }
  const mapCols = (cols: string[], m: Map<string, string> | undefined) =>
    m && cols.every((c) => m.has(c)) ? cols.map((c) => m.get(c)!) : null;
  for (const { view, base } of viewMaps) {
    for (const [table, m] of base) {
      const rel = relations.get(table);
      if (!rel) continue;
      if (!view.pk.length) view.pk = mapCols(rel.pk, m) ?? [];
      for (const u of rel.uniques) {
        const mapped = mapCols(u, m);
        if (mapped) view.uniques.push(mapped);
      }
    }
  }
  const baseFks = [...fks];
  for (const fk of baseFks) {
    const fromKey = qualified(fk.table.schema, fk.table.name);
    const toKey = qualified(fk.ref.schema, fk.ref.name);
    const fromViews = viewMaps.filter((v) => v.base.has(fromKey));
    const toViews = viewMaps.filter((v) => v.base.has(toKey));
    // view → table, table → view and view → view variants of every foreign key
    for (const fv of [null, ...fromViews]) {
      for (const tv of [null, ...toViews]) {
        if (!fv && !tv) continue;
        const cols = fv ? mapCols(fk.columns, fv.base.get(fromKey)) : fk.columns;
        const refCols = tv ? mapCols(fk.refColumns, tv.base.get(toKey)) : fk.refColumns;
        if (!cols || !refCols) continue;
        fks.push({ name: fk.name, table: fv ? fv.view : fk.table, columns: cols, ref: tv ? tv.view : fk.ref, refColumns: refCols });
      }
    }
  }

  const relationships = new Map<string, Relationship[]>();
  const add = (r: Relationship) => {
    const key = qualified(r.table.schema, r.table.name);
    if (!relationships.has(key)) relationships.set(key, []);
    relationships.get(key)!.push(r);
  };
  const isUnique = (rel: Relation, cols: string[]) =>
    rel.uniques.some((u) => u.length === cols.length && u.every((c) => cols.includes(c)));
  for (const fk of fks) {
    const pairs = fk.columns.map((c, i) => [c, fk.refColumns[i]] as [string, string]);
    const oneToOne = isUnique(fk.table, fk.columns);
    add({ table: fk.table, foreign: fk.ref, cardinality: oneToOne ? 'o2o' : 'm2o', constraint: fk.name, columns: pairs });
    add({ table: fk.ref, foreign: fk.table, cardinality: oneToOne ? 'o2o' : 'o2m', constraint: fk.name,
      columns: pairs.map(([a, b]) => [b, a] as [string, string]) });
  }
  // Many-to-many: a junction whose two foreign keys' columns are all part of one of its keys.
  const byTable = new Map<Relation, ForeignKey[]>();
  for (const fk of fks) {
    if (!byTable.has(fk.table)) byTable.set(fk.table, []);
    byTable.get(fk.table)!.push(fk);
  }
  for (const [junction, list] of byTable) {
    for (const a of list) {
      for (const b of list) {
        if (a === b) continue;
        const cols = [...new Set([...a.columns, ...b.columns])];
        const keyed = junction.uniques.some((u) => cols.every((c) => u.includes(c)));
        if (!keyed) continue;
        add({
          table: a.ref, foreign: b.ref, cardinality: 'm2m', constraint: b.name, columns: [],
          junction: {
            table: junction, constraint1: a.name, constraint2: b.name,
            sourceColumns: a.columns.map((c, i) => [c, a.refColumns[i]] as [string, string]),
            targetColumns: b.columns.map((c, i) => [c, b.refColumns[i]] as [string, string]),
          },
        });
      }
    }
  }

  const routines = new Map<string, Routine[]>();
  const computed = new Map<string, Map<string, Routine>>();
  const computedRels: Relationship[] = [];
  for (const p of catalog.routines) {
    const args = p.args as Array<{ name: string; type: string; mode: string; i: number; rel: [string, string] | null }>;
    const inArgs = args.filter((a) => a.mode === 'i' || a.mode === 'b' || a.mode === 'v');
    const firstDefault = inArgs.length - Number(p.ndefaults);
    const retRel = p.ret_schema ? relations.get(qualified(p.ret_schema, p.ret_table)) ?? null : null;
    const routine: Routine = {
      schema: p.schema,
      name: p.name,
      params: inArgs.map((a, i) => ({ name: a.name, type: a.type, required: i < firstDefault, variadic: a.mode === 'v' })),
      returnType: p.return_type,
      returnRelation: retRel,
      // an untyped `record` (no OUT columns) has no columns to select or filter: its values go out whole
      returnsComposite: p.returns_composite && !(p.return_type === 'record' && !args.some((a) => a.mode === 'o' || a.mode === 'b' || a.mode === 't')),
      returnsSet: p.returns_set,
      returnsVoid: p.returns_void,
      outColumns: args.filter((a) => a.mode === 'o' || a.mode === 'b' || a.mode === 't').map((a) => ({ name: a.name, type: a.type })),
      volatility: p.volatility,
      description: p.description,
    };
    const key = qualified(p.schema, p.name);
    if (callable(routine)) {
      if (!routines.has(key)) routines.set(key, []);
      routines.get(key)!.push(routine);
    }
    // A function of exactly one argument, a relation's row type, returning a relation's rows is a
    // computed relationship, named by the function (PostgREST's allComputedRels).
    if (Number(p.nargs) === 1 && inArgs.length === 1 && inArgs[0].rel && retRel) {
      const owner = relations.get(qualified(inArgs[0].rel[0], inArgs[0].rel[1]));
      if (owner) {
        computedRels.push({ table: owner, foreign: retRel, cardinality: !p.returns_set || Number(p.rows) === 1 ? 'm2o' : 'o2m',
          constraint: p.name, columns: [], computed: routine });
      }
    }
    // A function whose first (only required) argument is a table's row type is a computed column.
    if (inArgs.length >= 1 && routine.params.filter((x) => x.required).length <= 1) {
      const owner = inArgs[0].rel ? relations.get(qualified(inArgs[0].rel[0], inArgs[0].rel[1])) : undefined;
      if (owner && !p.returns_set) {
        const k = qualified(owner.schema, owner.name);
        if (!computed.has(k)) computed.set(k, new Map());
        computed.get(k)!.set(p.name, routine);
      }
    }
  }

  // A computed relationship replaces every detected one between its table and a relation of its
  // name (PostgREST keys both by table and target name, the computed one winning).
  for (const c of computedRels) {
    const key = qualified(c.table.schema, c.table.name);
    const list = (relationships.get(key) ?? []).filter((r) => r.computed || r.foreign.schema !== c.computed!.schema || r.foreign.name !== c.constraint);
    list.push(c);
    relationships.set(key, list);
  }

  return {
    schemas,
    relations,
    relationships,
    routines,
    computed,
    db: catalog.db,
    schemaDescriptions: new Map(catalog.namespaces.map((r) => [r.nspname, r.d])),
  };
}
