import type { StackConfig } from '../config/load.js';
import type { Column, Relation, Routine, SchemaCache } from './schema-cache.js';

/**
 * `GET /rest/v1/`: the OpenAPI (Swagger 2.0) description of the exposed schema, in the shape
 * PostgREST's OpenAPI output has (docs/references/api/openapi.rst): one path per table, view
 * and function, one definition per table and view.
 */

function typeOf(pgType: string): { type: string; format: string; items?: unknown } {
  const base = pgType.replace(/\(.*\)/, '');
  if (base.endsWith('[]')) return { type: 'array', format: pgType, items: { type: typeOf(base.slice(0, -2)).type } };
  if (['integer', 'smallint', 'bigint'].includes(base)) return { type: 'integer', format: pgType };
  if (['numeric', 'real', 'double precision'].includes(base)) return { type: 'number', format: pgType };
  if (base === 'boolean') return { type: 'boolean', format: pgType };
  if (base === 'json' || base === 'jsonb') return { type: 'object' as string, format: pgType } as { type: string; format: string };
  return { type: 'string', format: pgType };
}

function property(c: Column, rel: Relation, cache: SchemaCache): Record<string, unknown> {
  const t = typeOf(c.type);
  const prop: Record<string, unknown> = { format: t.format, type: t.type };
  if (t.type === 'object') delete prop.type;
  if (t.items) prop.items = t.items;
  if (c.enumValues) prop.enum = c.enumValues;
  if (c.default !== null) prop.default = c.default;
  const notes: string[] = [];
  if (c.description) notes.push(c.description);
  if (rel.pk.includes(c.name)) notes.push('Note:\nThis is a Primary Key.<pk/>');
  for (const r of cache.relationships.get(`${rel.schema}.${rel.name}`) ?? []) {
    if (r.cardinality === 'm2o' && r.columns.length === 1 && r.columns[0][0] === c.name) {
      notes.push(`Note:\nThis is a Foreign Key to \`${r.foreign.name}.${r.columns[0][1]}\`.<fk table='${r.foreign.name}' column='${r.columns[0][1]}'/>`);
    }
  }
  if (notes.length) prop.description = notes.join('\n\n');
  return prop;
}

function relationPath(rel: Relation): Record<string, unknown> {
  const ref = (n: string) => ({ $ref: `#/parameters/${n}` });
  const rowFilters = rel.columns.map((c) => ({ $ref: `#/parameters/rowFilter.${rel.name}.${c.name}` }));
  const ops: Record<string, unknown> = {
    get: {
      tags: [rel.name], summary: rel.description ?? undefined,
      parameters: [...rowFilters, ref('select'), ref('order'), ref('range'), ref('rangeUnit'), ref('offset'), ref('limit'), ref('preferCount')],
      responses: { 200: { description: 'OK', schema: { items: { $ref: `#/definitions/${rel.name}` }, type: 'array' } }, 206: { description: 'Partial Content' } },
    },
  };
  if (rel.insertable) ops.post = { tags: [rel.name], parameters: [ref(`body.${rel.name}`), ref('select'), ref('preferPost')], responses: { 201: { description: 'Created' } } };
  if (rel.updatable) ops.patch = { tags: [rel.name], parameters: [...rowFilters, ref(`body.${rel.name}`), ref('preferReturn')], responses: { 204: { description: 'No Content' } } };
  if (rel.deletable) ops.delete = { tags: [rel.name], parameters: [...rowFilters, ref('preferReturn')], responses: { 204: { description: 'No Content' } } };
  return ops;
}

function routinePath(r: Routine): Record<string, unknown> {
  const args = {
    required: r.params.filter((p) => p.required).map((p) => p.name),
    type: 'object',
    properties: Object.fromEntries(r.params.map((p) => [p.name, { format: p.type, type: typeOf(p.type).type }])),
  };
  const post = {
    tags: [`(rpc) ${r.name}`], summary: r.description ?? undefined,
    parameters: [{ required: true, schema: args, in: 'body', name: 'args' }, { $ref: '#/parameters/preferParams' }],
    produces: ['application/json', 'application/vnd.pgrst.object+json'],
    responses: { 200: { description: 'OK' } },
  };
  const get = {
    tags: [`(rpc) ${r.name}`], summary: r.description ?? undefined,
    parameters: r.params.map((p) => ({ format: p.type, in: 'query', name: p.name, required: p.required, type: typeOf(p.type).type })),
    produces: ['application/json', 'application/vnd.pgrst.object+json'],
    responses: { 200: { description: 'OK' } },
  };
  return r.volatility === 'v' ? { post } : { get, post };
}

/** What the request's role may use, as PostgREST's default `openapi-mode = follow-privileges` shows. */
export interface Visible {
  relations: Set<string>;
  routines: Set<string>;
}

/** Names of the relations the current role can select from and the functions it can execute. */
export const VISIBLE_SQL = `
select 'r' as kind, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = $1 and c.relkind in ('r','v','m','f','p')
   and (has_table_privilege(c.oid, 'SELECT') or has_table_privilege(c.oid, 'INSERT')
        or has_table_privilege(c.oid, 'UPDATE') or has_table_privilege(c.oid, 'DELETE')
        or has_any_column_privilege(c.oid, 'SELECT'))
union all
select 'f', p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = $1 and has_function_privilege(p.oid, 'EXECUTE')`;

export function openApiDocument(cache: SchemaCache, schema: string, url: URL, config: StackConfig, visible?: Visible): Record<string, unknown> {
  const rels = [...cache.relations.values()]
    .filter((r) => r.schema === schema && (!visible || visible.relations.has(r.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const routines = [...cache.routines.values()].flat()
    .filter((r) => r.schema === schema && !r.params.some((p) => p.name === '') && (!visible || visible.routines.has(r.name)));
  const paths: Record<string, unknown> = {
    '/': { get: { tags: ['Introspection'], summary: 'OpenAPI description (this document)', produces: ['application/openapi+json', 'application/json'], responses: { 200: { description: 'OK' } } } },
  };
  for (const r of rels) paths[`/${r.name}`] = relationPath(r);
  for (const r of routines) paths[`/rpc/${r.name}`] = routinePath(r);
  const definitions: Record<string, unknown> = {};
  const parameters: Record<string, unknown> = {
    preferParams: { name: 'Prefer', description: 'Preference', required: false, enum: ['params=single-object'], in: 'header', type: 'string' },
    preferReturn: { name: 'Prefer', description: 'Preference', required: false, enum: ['return=representation', 'return=minimal', 'return=none'], in: 'header', type: 'string' },
    preferCount: { name: 'Prefer', description: 'Preference', required: false, enum: ['count=none'], in: 'header', type: 'string' },
    preferPost: { name: 'Prefer', description: 'Preference', required: false, enum: ['return=representation', 'return=minimal', 'return=none', 'resolution=ignore-duplicates', 'resolution=merge-duplicates'], in: 'header', type: 'string' },
    select: { name: 'select', description: 'Filtering Columns', required: false, in: 'query', type: 'string' },
    on_conflict: { name: 'on_conflict', description: 'On Conflict', required: false, in: 'query', type: 'string' },
    order: { name: 'order', description: 'Ordering', required: false, in: 'query', type: 'string' },
    range: { name: 'Range', description: 'Limiting and Pagination', required: false, in: 'header', type: 'string' },
    rangeUnit: { name: 'Range-Unit', description: 'Limiting and Pagination', required: false, default: 'items', in: 'header', type: 'string' },
    offset: { name: 'offset', description: 'Limiting and Pagination', required: false, in: 'query', type: 'string' },
    limit: { name: 'limit', description: 'Limiting and Pagination', required: false, in: 'query', type: 'string' },
  };
  for (const r of rels) {
    definitions[r.name] = {
      description: r.description ?? undefined,
      required: r.columns.filter((c) => !c.nullable && c.default === null && !c.identity && !c.generated).map((c) => c.name),
      properties: Object.fromEntries(r.columns.map((c) => [c.name, property(c, r, cache)])),
      type: 'object',
    };
    parameters[`body.${r.name}`] = { name: r.name, description: r.name, required: false, in: 'body', schema: { $ref: `#/definitions/${r.name}` } };
    for (const c of r.columns) {
      parameters[`rowFilter.${r.name}.${c.name}`] = { name: c.name, description: c.description ?? undefined, required: false, format: c.type, in: 'query', type: 'string' };
    }
  }
  return {
    swagger: '2.0',
    info: { description: cache.schemaDescriptions.get(schema) ?? '', title: 'standard public schema', version: '12.2.0 (agora)' },
    host: url.host,
    basePath: '/rest/v1',
    schemes: [url.protocol.replace(':', '')],
    consumes: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'],
    produces: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'],
    paths,
    definitions,
    parameters,
    externalDocs: { description: 'PostgREST Documentation', url: 'https://postgrest.org/en/v12/references/api.html' },
    'x-agora-project': config.projectId,
  };
}
