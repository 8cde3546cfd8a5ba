import type pg from 'pg';

/** The roles a client can act as through the API; privileges are documented per role. */
export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type ApiRole = (typeof API_ROLES)[number];
export type Privilege = 'select' | 'insert' | 'update' | 'delete';

export interface CatalogColumn {
  name: string;
  type: string;
  /** The base type's name for arrays' elements and domains (`int8`, `uuid`, `text`). */
  udt: string;
  isArray: boolean;
  nullable: boolean;
  hasDefault: boolean;
  generated: boolean;
  enumValues: string[] | null;
  description: string | null;
  /** Roles allowed to write this column: column grants narrow a table's insert/update. */
  insertableBy: ApiRole[];
  updatableBy: ApiRole[];
}

export interface CatalogRelation {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  description: string | null;
  columns: CatalogColumn[];
  pk: string[];
  grants: Record<Privilege, ApiRole[]>;
  rls: boolean;
}

export interface CatalogFunction {
  schema: string;
  name: string;
  args: Array<{ name: string; type: string; udt: string; isArray: boolean; hasDefault: boolean }>;
  returnType: string;
  returnsSet: boolean;
  volatile: boolean;
  description: string | null;
  executableBy: ApiRole[];
}

const relationsSql = `
with rel as (
  select c.oid, n.nspname as schema, c.relname as name, c.relkind, c.relrowsecurity as rls,
         obj_description(c.oid, 'pg_class') as description
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f')
)
select rel.schema, rel.name, rel.relkind, rel.rls, rel.description,
  (select coalesce(json_agg(r.rolname), '[]') from unnest($2::text[]) r(rolname) where has_table_privilege(r.rolname, rel.oid, 'select')) as sel,
  (select coalesce(json_agg(r.rolname), '[]') from unnest($2::text[]) r(rolname) where has_table_privilege(r.rolname, rel.oid, 'insert') or has_any_column_privilege(r.rolname, rel.oid, 'insert')) as ins,
  (select coalesce(json_agg(r.rolname), '[]') from unnest($2::text[]) r(rolname) where has_table_privilege(r.rolname, rel.oid, 'update') or has_any_column_privilege(r.rolname, rel.oid, 'update')) as upd,
  (select coalesce(json_agg(r.rolname), '[]') from unnest($2::text[]) r(rolname) where has_table_privilege(r.rolname, rel.oid, 'delete')) as del,
  (select coalesce(json_agg(a.attname order by array_position(i.indkey::int2[], a.attnum)), '[]')
     from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     where i.indrelid = rel.oid and i.indisprimary) as pk,
  (select coalesce(json_agg(json_build_object(
      'name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod),
      'udt', coalesce(et.typname, bt.typname, t.typname),
      'is_array', t.typcategory = 'A',
      'nullable', not a.attnotnull,
      'has_default', a.atthasdef or a.attidentity <> '',
      'generated', a.attgenerated <> '' or a.attidentity = 'a',
      'enum_values', (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = coalesce(et.oid, t.oid)),
      'description', col_description(rel.oid, a.attnum),
      'insertable_by', (select coalesce(json_agg(r.rolname), '[]') from unnest($2::text[]) r(rolname) where has_column_privilege(r.rolname, rel.oid, a.attnum, 'insert')),
      'updatable_by', (select coalesce(json_agg(r.rolname), '[]') from unnest($2::text[]) r(rolname) where has_column_privilege(r.rolname, rel.oid, a.attnum, 'update'))
    ) order by a.attnum), '[]')
   from pg_attribute a
   join pg_type t on t.oid = a.atttypid
   left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
   left join pg_type bt on bt.oid = t.typbasetype and t.typtype = 'd'
   where a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped) as columns
from rel
where exists (select 1 from unnest($2::text[]) r(rolname) where has_table_privilege(r.rolname, rel.oid, 'select, insert, update, delete')
                                                              or has_any_column_privilege(r.rolname, rel.oid, 'select, insert, update'))
order by rel.schema, rel.name`;

const functionsSql = `
select n.nspname as schema, p.proname as name, p.proretset as returns_set, p.provolatile = 'v' as volatile,
       format_type(p.prorettype, null) as return_type, obj_description(p.oid, 'pg_proc') as description,
       p.pronargs, p.pronargdefaults,
       (select coalesce(json_agg(json_build_object(
           'name', coalesce(p.proargnames[i.n], ''),
           'type', format_type(i.typ, null),
           'udt', coalesce(et.typname, t.typname),
           'is_array', t.typcategory = 'A') order by i.n), '[]')
        from unnest(p.proargtypes::oid[]) with ordinality i(typ, n)
        join pg_type t on t.oid = i.typ
        left join pg_type et on et.oid = t.typelem and t.typcategory = 'A') as args,
       (select coalesce(json_agg(r.rolname), '[]') from unnest($2::text[]) r(rolname) where has_function_privilege(r.rolname, p.oid, 'execute')) as exec
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any($1) and p.prokind = 'f'
  and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
order by n.nspname, p.proname`;

interface RelationRow {
  schema: string;
  name: string;
  relkind: string;
  rls: boolean;
  description: string | null;
  sel: ApiRole[];
  ins: ApiRole[];
  upd: ApiRole[];
  del: ApiRole[];
  pk: string[];
  columns: Array<{
    name: string; type: string; udt: string; is_array: boolean; nullable: boolean; has_default: boolean; generated: boolean;
    enum_values: string[] | null; description: string | null; insertable_by: ApiRole[]; updatable_by: ApiRole[];
  }>;
}

interface FunctionRow {
  schema: string;
  name: string;
  returns_set: boolean;
  volatile: boolean;
  return_type: string;
  description: string | null;
  pronargs: number;
  pronargdefaults: number;
  args: Array<{ name: string; type: string; udt: string; is_array: boolean }>;
  exec: ApiRole[];
}

/**
 * What the API exposes, read from pg_catalog as the superuser: the relations and functions of
 * the exposed schemas that at least one API role may use, with their COMMENT ON descriptions
 * and the privileges of each role (so the docs can say who may call what).
 */
export async function readCatalog(pool: pg.Pool, schemas: string[]): Promise<{ relations: CatalogRelation[]; functions: CatalogFunction[] }> {
  const roles = [...API_ROLES];
  const [rels, fns] = await Promise.all([
    pool.query<RelationRow>(relationsSql, [schemas, roles]),
    pool.query<FunctionRow>(functionsSql, [schemas, roles]),
  ]);
  const relations = rels.rows.map((r): CatalogRelation => ({
    schema: r.schema,
    name: r.name,
    kind: r.relkind === 'r' || r.relkind === 'p' || r.relkind === 'f' ? 'table' : 'view',
    description: r.description,
    rls: r.rls,
    pk: r.pk,
    grants: { select: r.sel, insert: r.ins, update: r.upd, delete: r.del },
    columns: r.columns.map((c) => ({
      name: c.name,
      type: c.type,
      udt: c.udt,
      isArray: c.is_array,
      nullable: c.nullable,
      hasDefault: c.has_default,
      generated: c.generated,
      enumValues: c.enum_values,
      description: c.description,
      insertableBy: c.insertable_by,
      updatableBy: c.updatable_by,
    })),
  }));
  const functions = fns.rows
    .filter((f) => f.exec.length > 0 && f.args.every((a) => a.name !== ''))
    .map((f): CatalogFunction => ({
      schema: f.schema,
      name: f.name,
      returnType: f.return_type,
      returnsSet: f.returns_set,
      volatile: f.volatile,
      description: f.description,
      executableBy: f.exec,
      args: f.args.map((a, i) => ({ name: a.name, type: a.type, udt: a.udt, isArray: a.is_array, hasDefault: i >= f.pronargs - f.pronargdefaults })),
    }));
  return { relations, functions };
}
