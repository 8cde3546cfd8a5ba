import type { OpenAPIV3 } from 'openapi-types';
import { API_ROLES, type ApiRole, type CatalogColumn, type CatalogFunction, type CatalogRelation } from './catalog.js';
import { schemaForPgType } from './pg-json-schema.js';

// PostgREST's conventions, as documented in its tables_views, preferences and functions pages.
const ref = (name: string): OpenAPIV3.ReferenceObject => ({ $ref: `#/components/parameters/${name}` });

export const restParameters: Record<string, OpenAPIV3.ParameterObject> = {
  select: { name: 'select', in: 'query', schema: { type: 'string' }, description: 'Columns and embedded resources to return, e.g. `id,content,author:profiles(username)`.' },
  order: { name: 'order', in: 'query', schema: { type: 'string' }, description: 'Ordering, e.g. `created_at.desc,id.desc` (`.nullsfirst`/`.nullslast` allowed).' },
  limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'At most this many rows.' },
  offset: { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Skip this many rows.' },
  range: { name: 'Range', in: 'header', schema: { type: 'string' }, description: 'Rows to return as `first-last`, e.g. `0-24` (with `Range-Unit: items`).' },
  preferRead: { name: 'Prefer', in: 'header', schema: { type: 'string', enum: ['count=exact', 'count=planned', 'count=estimated'] }, description: 'Ask for the total row count in `Content-Range`.' },
  preferWrite: { name: 'Prefer', in: 'header', schema: { type: 'string', enum: ['return=representation', 'return=minimal', 'return=headers-only', 'resolution=merge-duplicates', 'resolution=ignore-duplicates', 'missing=default'] }, description: 'What to answer with, and how to treat conflicts (upsert) and missing columns.' },
  onConflict: { name: 'on_conflict', in: 'query', schema: { type: 'string' }, description: 'Unique columns an upsert (`Prefer: resolution=...`) matches on.' },
  columns: { name: 'columns', in: 'query', schema: { type: 'string' }, description: 'Which keys of the body to insert, e.g. `content,media_path`.' },
};

function rolesText(roles: ApiRole[]): string {
  return roles.length ? roles.map((r) => `\`${r}\``).join(', ') : 'no API role';
}

/** COMMENT ON text: the first line is the summary, the rest the description (PostgREST's rule). */
function splitComment(comment: string | null, fallback: string): { summary: string; description?: string } {
  if (!comment) return { summary: fallback };
  const [first, ...rest] = comment.split('\n');
  const description = rest.join('\n').trim();
  return { summary: first.trim(), ...(description ? { description } : {}) };
}

function columnSchema(c: CatalogColumn): OpenAPIV3.SchemaObject {
  const s = schemaForPgType(c.udt, c.type, c.isArray, c.enumValues);
  const notes = [c.description, s.description, c.generated ? 'generated: read only' : ''].filter(Boolean);
  return { ...s, description: notes.join('. '), ...(c.nullable ? { nullable: true } : {}), ...(c.generated ? { readOnly: true } : {}) };
}

function rowSchema(rel: CatalogRelation): OpenAPIV3.SchemaObject {
  return {
    type: 'object',
    ...(rel.description ? { description: rel.description } : {}),
    properties: Object.fromEntries(rel.columns.map((c) => [c.name, columnSchema(c)])),
    required: rel.columns.filter((c) => !c.nullable).map((c) => c.name),
  };
}

/** The body a role may send: only columns someone can write, required when nothing fills them. */
function writeSchema(rel: CatalogRelation, which: 'insert' | 'update'): OpenAPIV3.SchemaObject {
  const writable = rel.columns.filter((c) => !c.generated && (which === 'insert' ? c.insertableBy : c.updatableBy).length > 0);
  const required = which === 'insert' ? writable.filter((c) => !c.nullable && !c.hasDefault).map((c) => c.name) : [];
  // Column grants narrow what clients may write (ids, counters): say who may write each column.
  const property = (c: CatalogColumn): OpenAPIV3.SchemaObject => {
    const writers = which === 'insert' ? c.insertableBy : c.updatableBy;
    const s = columnSchema(c);
    return writers.length === API_ROLES.length ? s : { ...s, description: `${s.description}. Writable by ${rolesText(writers)} only` };
  };
  return {
    type: 'object',
    properties: Object.fromEntries(writable.map((c) => [c.name, property(c)])),
    ...(required.length ? { required } : {}),
  };
}

function filterParameters(rel: CatalogRelation): OpenAPIV3.ParameterObject[] {
  return rel.columns.map((c) => ({
    name: c.name,
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: `Filter on \`${c.name}\` (${c.type}): \`eq.<value>\`, \`neq.\`, \`gt.\`, \`lt.\`, \`in.(a,b)\`, \`is.null\`, \`like.\`, \`ilike.\`${c.type === 'tsvector' ? ', `fts.`/`wfts.`' : ''}`,
  }));
}

const rowsResponse = (name: string): OpenAPIV3.ResponseObject => ({
  description: 'The rows',
  content: { 'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/${name}` } } } },
});

const errorResponse: OpenAPIV3.ResponseObject = { description: 'PostgREST error', content: { 'application/json': { schema: { $ref: '#/components/schemas/PostgrestError' } } } };

export function restErrorSchema(): OpenAPIV3.SchemaObject {
  return {
    type: 'object',
    description: 'Error as PostgREST sends it: a SQLSTATE or a PGRSTxxx code.',
    properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'string', nullable: true }, hint: { type: 'string', nullable: true } },
  };
}

export interface RestDescription {
  paths: OpenAPIV3.PathsObject;
  schemas: Record<string, OpenAPIV3.SchemaObject>;
  parameters: Record<string, OpenAPIV3.ParameterObject>;
}

/** One path per exposed relation (`/rest/v1/<name>`) and per callable function (`/rest/v1/rpc/<name>`). */
export function restPaths(relations: CatalogRelation[], functions: CatalogFunction[], defaultSchema: string): RestDescription {
  const paths: OpenAPIV3.PathsObject = {};
  const schemas: Record<string, OpenAPIV3.SchemaObject> = { PostgrestError: restErrorSchema() };
  const tags = ['REST'];
  // Tables of a non-default schema are reached with Accept-Profile / Content-Profile.
  const visible = relations.filter((r) => r.schema === defaultSchema);
  const callable = functions.filter((f) => f.schema === defaultSchema);

  for (const rel of visible) {
    const name = rel.name;
    schemas[name] = rowSchema(rel);
    const { summary, description } = splitComment(rel.description, `${rel.kind === 'view' ? 'View' : 'Table'} ${name}`);
    const item: OpenAPIV3.PathItemObject = {};
    const rls = rel.kind === 'table' ? (rel.rls ? ' Row-level security decides which rows each caller sees and changes.' : ' Row-level security is OFF.') : '';
    const who = (p: keyof CatalogRelation['grants']) => `Allowed for ${rolesText(rel.grants[p])}.${rls}${description ? `\n\n${description}` : ''}`;
    const filters = filterParameters(rel);
    if (rel.grants.select.length) {
      item.get = {
        tags, operationId: `rest_list_${name}`, summary: `List ${name}: ${summary}`, description: who('select'),
        parameters: [ref('select'), ref('order'), ref('limit'), ref('offset'), ref('range'), ref('preferRead'), ...filters],
        responses: { 200: rowsResponse(name), 206: rowsResponse(name), 400: errorResponse, 401: errorResponse },
      };
    }
    if (rel.grants.insert.length) {
      const body = writeSchema(rel, 'insert');
      item.post = {
        tags, operationId: `rest_insert_${name}`, summary: `Insert ${name}`, description: who('insert'),
        parameters: [ref('select'), ref('preferWrite'), ref('onConflict'), ref('columns')],
        requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [body, { type: 'array', items: body }] } } } },
        responses: { 201: rowsResponse(name), 400: errorResponse, 401: errorResponse, 403: errorResponse, 409: errorResponse },
      };
    }
    if (rel.grants.update.length) {
      item.patch = {
        tags, operationId: `rest_update_${name}`, summary: `Update ${name} (rows matching the filters)`, description: who('update'),
        parameters: [ref('select'), ref('preferWrite'), ...filters],
        requestBody: { required: true, content: { 'application/json': { schema: writeSchema(rel, 'update') } } },
        responses: { 200: rowsResponse(name), 204: { description: 'Updated' }, 400: errorResponse, 401: errorResponse, 403: errorResponse },
      };
    }
    if (rel.grants.delete.length) {
      item.delete = {
        tags, operationId: `rest_delete_${name}`, summary: `Delete ${name} (rows matching the filters)`, description: who('delete'),
        parameters: [ref('select'), ref('preferWrite'), ...filters],
        responses: { 200: rowsResponse(name), 204: { description: 'Deleted' }, 400: errorResponse, 401: errorResponse, 403: errorResponse },
      };
    }
    paths[`/rest/v1/${name}`] = item;
  }

  for (const fn of callable) {
    const { summary, description } = splitComment(fn.description, `Function ${fn.name}`);
    const args: OpenAPIV3.SchemaObject = {
      type: 'object',
      properties: Object.fromEntries(fn.args.map((a) => [a.name, schemaForPgType(a.udt, a.type, a.isArray)])),
      ...(fn.args.some((a) => !a.hasDefault) ? { required: fn.args.filter((a) => !a.hasDefault).map((a) => a.name) } : {}),
    };
    const result: OpenAPIV3.SchemaObject = fn.returnsSet
      ? { type: 'array', items: { description: `Postgres \`${fn.returnType}\`` } }
      : { description: `Postgres \`${fn.returnType}\`` };
    const text = `Allowed for ${rolesText(fn.executableBy)}.${description ? `\n\n${description}` : ''}`;
    const item: OpenAPIV3.PathItemObject = {
      post: {
        tags, operationId: `rpc_${fn.name}`, summary: `RPC ${fn.name}: ${summary}`, description: text,
        requestBody: { required: fn.args.some((a) => !a.hasDefault), content: { 'application/json': { schema: args } } },
        responses: { 200: { description: 'The result', content: { 'application/json': { schema: result } } }, 204: { description: 'No result (void)' }, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    };
    // Read-only functions can also be called with GET and the arguments in the query string.
    if (!fn.volatile) {
      item.get = {
        tags, operationId: `rpc_${fn.name}_get`, summary: `RPC ${fn.name} (GET): ${summary}`, description: text,
        parameters: fn.args.map((a) => ({ name: a.name, in: 'query', required: !a.hasDefault, schema: schemaForPgType(a.udt, a.type, a.isArray) })),
        responses: { 200: { description: 'The result', content: { 'application/json': { schema: result } } }, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      };
    }
    paths[`/rest/v1/rpc/${fn.name}`] = item;
  }
  return { paths, schemas, parameters: restParameters };
}
