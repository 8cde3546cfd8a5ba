import { ident, lit } from '../db/sql.js';
import type { Aggregate, Field } from './grammar.js';
import type { Accept, ApiRequest } from './parse.js';
import { aggregatesIn, computedColumn, type CallPlan, type MutatePlan, type PlannedCond, type Projection, type ReadNode, type ReadPlan } from './plan.js';
import type { Column, Relation, SchemaCache } from './schema-cache.js';

/**
 * Renders a plan as ONE parameterised SQL statement, the way PostgREST does: rows are shaped
 * into JSON by Postgres (json_agg/row_to_json), embeds are lateral subqueries, every value is
 * a bind parameter and every identifier has been checked by the planner and is quoted here.
 * The statement returns one row: total_result_set, page_total, body, response_headers,
 * response_status (and location for inserts).
 */

export interface Statement {
  text: string;
  values: unknown[];
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const qi = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;
const relSql = (r: Relation) => qi(r.schema, r.name);

interface Ctx {
  cache: SchemaCache;
  params: Params;
}

function fieldSql(ctx: Ctx, node: ReadNode, alias: string, field: Field): string {
  const fn = field.name && !node.relation.columnMap.has(field.name) ? computedColumn(ctx.cache, node.relation, field.name) : undefined;
  // rows read back from a data-modifying CTE are anonymous records: give computed columns the table's row type
  const row = node.fromCte ? `ROW(${ident(alias)}.*)::${relSql(node.relation)}` : ident(alias);
  let sql = fn ? `${qi(fn.schema, fn.name)}(${row})` : `${ident(alias)}.${ident(field.name)}`;
  // a JSON path into an array or composite column reads its JSON form, as PostgREST does
  const category = fn ? undefined : node.relation.columnMap.get(field.name)?.category;
  if (field.json.length && (category === 'A' || category === 'C')) sql = `to_jsonb(${sql})`;
  for (const step of field.json) {
    sql += step.arrow + (/^-?\d+$/.test(step.key) ? step.key : lit(step.key));
  }
  return sql;
}

/** As PostgREST names it: the alias, else the last key of a JSON path (array indexes are not keys), else the column. */
function fieldOutputName(field: Field, alias?: string): string {
  if (alias) return alias;
  const keys = field.json.filter((step) => !/^-?\d+$/.test(step.key));
  return keys.length ? keys[keys.length - 1].key : field.name;
}

const OPS: Record<string, string> = {
  eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'LIKE', ilike: 'ILIKE', match: '~', imatch: '~*',
  isdistinct: 'IS DISTINCT FROM', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-',
};
const FTS_FN: Record<string, string> = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' };

function isTsvector(ctx: Ctx, node: ReadNode, field: Field): boolean {
  if (field.json.length) return false;
  const column = node.relation.columnMap.get(field.name);
  const type = column ? column.type : computedColumn(ctx.cache, node.relation, field.name)?.returnType;
  return type === 'tsvector';
}

/** A Postgres array literal of text elements, for `in` and any/all. */
function arrayLiteral(items: string[]): string {
  return `{${items.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

const likePattern = (v: string) => v.replace(/\*/g, '%');

function condSql(ctx: Ctx, node: ReadNode, alias: string, cond: PlannedCond): string {
  switch (cond.kind) {
    case 'logic': {
      const parts = cond.children.map((c) => condSql(ctx, node, alias, c));
      const joined = `(${parts.join(cond.op === 'and' ? ' AND ' : ' OR ')})`;
      return cond.negated ? `NOT ${joined}` : joined;
    }
    case 'embedNull': {
      const col = embedPresenceSql(cond.child);
      return cond.negated ? `${col} IS NOT NULL` : `${col} IS NULL`;
    }
    case 'related': {
      // EXISTS through each embed on the path, innermost holding the condition
      const step = (i: number, parent: ReadNode, parentAlias: string): string => {
        const child = cond.chain[i];
        const a = `${child.alias}_x`;
        const { from, where } = joinSql(child, a, parent, parentAlias);
        const inner = i === cond.chain.length - 1 ? condSql(ctx, child, a, cond.cond) : step(i + 1, child, a);
        return `EXISTS (SELECT 1 FROM ${from} WHERE ${[...where, inner].join(' AND ')})`;
      };
      return step(0, node, alias);
    }
    case 'field': {
      const lhs = fieldSql(ctx, node, alias, cond.field);
      const c = cond.cond;
      let sql: string;
      const val = c.value;
      if (c.op === 'is') {
        const v = (val as string).toLowerCase();
        sql = `${lhs} IS ${v === 'not_null' ? 'NOT NULL' : v.toUpperCase()}`;
      } else if (c.op === 'in') {
        sql = `${lhs} = ANY(${ctx.params.add(arrayLiteral(val as string[]))})`;
      } else if (c.op in FTS_FN) {
        const lang = c.language ? `${ctx.params.add(c.language)}::regconfig, ` : '';
        const q = `${FTS_FN[c.op]}(${lang}${ctx.params.add(val)})`;
        // a column that is not a tsvector is converted with the same language (PostgREST 13)
        sql = `${isTsvector(ctx, node, cond.field) ? lhs : `to_tsvector(${lang}${lhs})`} @@ ${q}`;
      } else if (c.quantifier) {
        const like = (v: string) => (c.op === 'like' || c.op === 'ilike' ? likePattern(v) : v);
        // a value that is no `{...}` list goes to Postgres as it is, which judges it as an array literal
        const array = typeof val === 'string' ? like(val) : arrayLiteral(val.map(like));
        sql = `${lhs} ${OPS[c.op]} ${c.quantifier.toUpperCase()}(${ctx.params.add(array)})`;
      } else {
        const v = c.op === 'like' || c.op === 'ilike' ? likePattern(val as string) : val;
        // no cast, as PostgREST: LIKE or ~ on a column without those operators (an integer) is an error
        sql = `${lhs} ${OPS[c.op]} ${ctx.params.add(v)}`;
      }
      return c.negated ? `NOT (${sql})` : sql;
    }
  }
}

const latAlias = (child: ReadNode) => `${child.alias}_l`;

/** The lateral column that is null when the embed found nothing. */
function embedPresenceSql(child: ReadNode): string {
  if (child.spread) return `${ident(latAlias(child))}.${ident('pgrst_exists')}`;
  return `${ident(latAlias(child))}.${ident(child.toOne ? 'pgrst_obj' : 'pgrst_agg')}`;
}

/** FROM and join conditions that relate `child` (aliased `alias`) to its parent row (`parentAlias`). */
function joinSql(child: ReadNode, alias: string, parent: ReadNode, parentAlias: string): { from: string; where: string[] } {
  const rel = child.rel!;
  if (rel.computed) {
    // a computed relationship: its function called with the parent's row is the FROM item
    const row = parent.fromCte ? `ROW(${ident(parentAlias)}.*)::${relSql(parent.relation)}` : ident(parentAlias);
    return { from: `${qi(rel.computed.schema, rel.computed.name)}(${row}) AS ${ident(alias)}`, where: [] };
  }
  if (rel.cardinality === 'm2m') {
    const j = rel.junction!;
    const ja = `${alias}_j`;
    const on = j.targetColumns.map(([jc, tc]) => `${ident(ja)}.${ident(jc)} = ${ident(alias)}.${ident(tc)}`).join(' AND ');
    return {
      from: `${relSql(child.relation)} AS ${ident(alias)} INNER JOIN ${relSql(j.table)} AS ${ident(ja)} ON ${on}`,
      where: j.sourceColumns.map(([jc, sc]) => `${ident(ja)}.${ident(jc)} = ${ident(parentAlias)}.${ident(sc)}`),
    };
  }
  return {
    from: `${relSql(child.relation)} AS ${ident(alias)}`,
    where: rel.columns.map(([pc, cc]) => `${ident(alias)}.${ident(cc)} = ${ident(parentAlias)}.${ident(pc)}`),
  };
}

const AGGREGATE_SQL: Record<Aggregate, string> = { count: 'COUNT', sum: 'SUM', avg: 'AVG', max: 'MAX', min: 'MIN' };
const castSql = (expr: string, cast?: string) => (cast ? `CAST(${expr} AS ${cast})` : expr);
const aggregateSql = (expr: string, aggregate: Aggregate, cast?: string) => castSql(`${AGGREGATE_SQL[aggregate]}(${expr})`, cast);

type FieldProjection = Extract<Projection, { kind: 'field' }>;

/** The key a selected field is shown under; an aggregate's is its function's name, as Postgres labels it. */
const projectionName = (p: FieldProjection) => p.alias ?? p.aggregate ?? fieldOutputName(p.field);

/**
 * A to-one spread hands its aggregates up to the node it is spread into, which applies them over
 * its own rows (PostgREST's hoisting); every other node applies its own, grouped by the rest.
 */
const hoists = (node: ReadNode) => node.spread && node.toOne;
const grouped = (node: ReadNode) => !hoists(node) && aggregatesIn(node);

/** `count` that is no column of the node: Postgres's `count(row)`, itself an aggregate. */
const legacyCount = (ctx: Ctx, node: ReadNode, p: FieldProjection) =>
  !p.aggregate && p.field.name === 'count' && p.field.json.length === 0 && !node.relation.columnMap.has('count') &&
  !computedColumn(ctx.cache, node.relation, 'count');

interface SpreadColumn {
  name: string;
  /** an aggregate a to-one spread leaves to the node above it */
  aggregate?: Aggregate;
  aggregateCast?: string;
}

/** The keys a spread node puts into its parent's rows. */
function spreadColumns(node: ReadNode): SpreadColumn[] {
  const cols: SpreadColumn[] = [];
  for (const p of node.projections) {
    if (p.kind === 'star') cols.push(...node.relation.columns.map((c) => ({ name: c.name })));
    else if (p.kind === 'field') cols.push({ name: projectionName(p), aggregate: p.aggregate, aggregateCast: p.aggregateCast });
    else if (p.node.hidden) continue;
    else if (p.node.spread) cols.push(...spreadColumns(p.node));
    else cols.push({ name: p.node.outputName });
  }
  return cols;
}

/** A field's value: cast, then aggregated unless its node hands the aggregate up. */
function fieldProjectionSql(ctx: Ctx, node: ReadNode, p: FieldProjection): string {
  if (p.aggregate === 'count' && p.field.name === '*') {
    // a hoisted count() counts the spread's rows that exist: its whole row, null when none matched
    return hoists(node) ? ident(node.alias) : castSql('COUNT(*)', p.aggregateCast);
  }
  const expr = castSql(fieldSql(ctx, node, node.alias, p.field), p.cast);
  return p.aggregate && !hoists(node) ? aggregateSql(expr, p.aggregate, p.aggregateCast) : expr;
}

/** An embed's lateral value; jsonb where the rows are grouped (json has no equality to group by). */
function embedValueSql(node: ReadNode, child: ReadNode, column?: string): string {
  const lat = ident(latAlias(child));
  const jsonb = grouped(node) ? '::jsonb' : '';
  if (child.spread && !child.toOne) return `COALESCE(${lat}.${ident(column!)}, '[]'::json)${jsonb}`;
  if (child.toOne) return `${lat}.${ident('pgrst_obj')}${jsonb}`;
  return `COALESCE(${lat}.${ident('pgrst_agg')}, '[]'::json)${jsonb}`;
}

function projectionSql(ctx: Ctx, node: ReadNode): string[] {
  const out: string[] = [];
  for (const p of node.projections) {
    if (p.kind === 'star') out.push(`${ident(node.alias)}.*`);
    else if (p.kind === 'field') out.push(`${fieldProjectionSql(ctx, node, p)} AS ${ident(projectionName(p))}`);
    else {
      const child = p.node;
      const lat = ident(latAlias(child));
      if (child.hidden) continue;
      if (child.spread && child.toOne) {
        for (const c of spreadColumns(child)) {
          const col = `${lat}.${ident(c.name)}`;
          out.push(`${c.aggregate && !hoists(node) ? aggregateSql(col, c.aggregate, c.aggregateCast) : col} AS ${ident(c.name)}`);
        }
      } else if (child.spread) {
        for (const c of spreadColumns(child)) out.push(`${embedValueSql(node, child, c.name)} AS ${ident(c.name)}`);
      } else out.push(`${embedValueSql(node, child)} AS ${ident(child.outputName)}`);
    }
  }
  if (out.length === 0) out.push(`NULL::int AS ${ident('pgrst_empty')}`);
  return out;
}

/** GROUP BY every selected value that is not aggregated, as PostgREST builds it. */
function groupSql(ctx: Ctx, node: ReadNode): string {
  if (!grouped(node)) return '';
  const terms: string[] = [];
  for (const p of node.projections) {
    if (p.kind === 'star') terms.push(...node.relation.columns.map((c) => `${ident(node.alias)}.${ident(c.name)}`));
    else if (p.kind === 'field') {
      if (!p.aggregate && !legacyCount(ctx, node, p)) terms.push(fieldProjectionSql(ctx, node, p));
    } else {
      const child = p.node;
      if (child.hidden) continue;
      if (child.spread && child.toOne) {
        for (const c of spreadColumns(child)) if (!c.aggregate) terms.push(`${ident(latAlias(child))}.${ident(c.name)}`);
      } else if (child.spread) {
        for (const c of spreadColumns(child)) terms.push(embedValueSql(node, child, c.name));
      } else terms.push(embedValueSql(node, child));
    }
  }
  return terms.length ? ` GROUP BY ${terms.join(', ')}` : '';
}

function orderSql(ctx: Ctx, node: ReadNode): string {
  if (!node.order.length) return '';
  const terms = node.order.map(({ term, child }) => {
    let expr: string;
    if (child) {
      const i = child.orderExports.indexOf(term.field);
      expr = `${ident(latAlias(child))}.${ident(`pgrst_x${i}`)}`;
    } else expr = fieldSql(ctx, node, node.alias, term.field);
    return `${expr}${term.direction ? ` ${term.direction.toUpperCase()}` : ''}${term.nulls ? ` NULLS ${term.nulls.toUpperCase()}` : ''}`;
  });
  return ` ORDER BY ${terms.join(', ')}`;
}

function rangeSql(node: ReadNode): string {
  let s = '';
  if (node.range.limit !== undefined) s += ` LIMIT ${node.range.limit}`;
  if (node.range.offset) s += ` OFFSET ${node.range.offset}`;
  return s;
}

/** `LEFT|INNER JOIN LATERAL (...)` for each embed of `node`. */
function lateralsSql(ctx: Ctx, node: ReadNode, only?: Set<ReadNode>): string {
  return node.children.filter((c) => !only || only.has(c)).map((child) => {
    const lat = ident(latAlias(child));
    const { from, where } = joinSql(child, child.alias, node, node.alias);
    const conds = [...where, ...child.conds.map((c) => condSql(ctx, child, child.alias, c))];
    const body = `FROM ${from}${lateralsSql(ctx, child)}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}${groupSql(ctx, child)}`;
    const exports = child.orderExports.map((f, i) => `, ${fieldSql(ctx, child, child.alias, f)} AS ${ident(`pgrst_x${i}`)}`).join('');
    let sub: string;
    let on = 'TRUE';
    if (child.toOne) {
      const proj = projectionSql(ctx, child).join(', ');
      sub = child.spread
        ? `SELECT ${proj}, TRUE AS ${ident('pgrst_exists')}${exports} ${body}`
        : `SELECT (SELECT row_to_json(${ident('pgrst_o')}) FROM (SELECT ${proj}) AS ${ident('pgrst_o')}) AS ${ident('pgrst_obj')}${exports} ${body}${orderSql(ctx, child)}${rangeSql(child)}`;
      if (child.spread) sub += `${orderSql(ctx, child)}${rangeSql(child)}`;
    } else {
      const inner = `SELECT ${projectionSql(ctx, child).join(', ')} ${body}${orderSql(ctx, child)}${rangeSql(child)}`;
      if (child.spread) {
        const cols = spreadColumns(child).map(({ name }) => `json_agg(${ident('pgrst_r')}.${ident(name)}) AS ${ident(name)}`);
        sub = `SELECT ${cols.join(', ')}, CASE WHEN count(*) > 0 THEN TRUE END AS ${ident('pgrst_exists')} FROM (${inner}) AS ${ident('pgrst_r')}`;
        if (child.join === 'inner') on = `${lat}.${ident('pgrst_exists')}`;
      } else if (child.countOnly) {
        sub = `SELECT json_build_array(json_build_object('count', count(*))) AS ${ident('pgrst_agg')} FROM (${inner}) AS ${ident('pgrst_r')}`;
      } else {
        sub = `SELECT json_agg(${ident('pgrst_r')}) AS ${ident('pgrst_agg')} FROM (${inner}) AS ${ident('pgrst_r')}`;
        if (child.join === 'inner') on = `${lat}.${ident('pgrst_agg')} IS NOT NULL`;
      }
    }
    return ` ${child.join === 'inner' ? 'INNER' : 'LEFT'} JOIN LATERAL (${sub}) AS ${lat} ON ${on}`;
  }).join('');
}

/** Children whose lateral decides which parent rows exist (inner joins, `embed=is.null`). */
function filteringChildren(node: ReadNode): Set<ReadNode> {
  const set = new Set<ReadNode>(node.children.filter((c) => c.join === 'inner'));
  const visit = (c: PlannedCond) => {
    if (c.kind === 'embedNull') set.add(c.child);
    if (c.kind === 'logic') c.children.forEach(visit);
  };
  node.conds.forEach(visit);
  return set;
}

function whereSql(ctx: Ctx, node: ReadNode): string {
  const conds = node.conds.map((c) => condSql(ctx, node, node.alias, c));
  return conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
}

/** SELECT of a node's rows from `source` (a table, a function call or a CTE). */
function nodeSelect(ctx: Ctx, node: ReadNode, source: string): string {
  return `SELECT ${projectionSql(ctx, node).join(', ')} FROM ${source} AS ${ident(node.alias)}${lateralsSql(ctx, node)}${whereSql(ctx, node)}${groupSql(ctx, node)}${orderSql(ctx, node)}${rangeSql(node)}`;
}

/** The rows a request matches, before limit/offset: what a count counts. */
function matchingRowsSql(ctx: Ctx, node: ReadNode, source: string, what: string): string {
  return `SELECT ${what} FROM ${source} AS ${ident(node.alias)}${lateralsSql(ctx, node, filteringChildren(node))}${whereSql(ctx, node)}`;
}

const countSql = (ctx: Ctx, node: ReadNode, source: string) => matchingRowsSql(ctx, node, source, 'pg_catalog.count(*)');

function bodySql(accept: Accept, stripNulls: boolean): string {
  const agg = stripNulls ? 'json_strip_nulls(json_agg(_postgrest_t))' : 'json_agg(_postgrest_t)';
  switch (accept) {
    case 'object':
      return `coalesce((${agg}->0)::text, '')`;
    case 'csv':
      return `(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k FROM (SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) AS s) AS a)`
        + ` || chr(10) || coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')`;
    default:
      return `coalesce(${agg}, '[]')::text`;
  }
}

const GUCS = `nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status`;

export interface ReadOptions {
  count: boolean;
  accept: Accept;
  stripNulls: boolean;
}

export function readStatement(cache: SchemaCache, plan: ReadPlan, opts: ReadOptions): Statement {
  const ctx: Ctx = { cache, params: new Params() };
  const root = plan.root;
  const source = relSql(root.relation);
  const main = nodeSelect(ctx, root, source);
  const total = opts.count ? `(${countSql(ctx, root, source)})` : 'NULL::bigint';
  const text = `WITH pgrst_source AS (${main}) SELECT ${total} AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ${bodySql(opts.accept, opts.stripNulls)} AS body, ${GUCS} FROM (SELECT * FROM pgrst_source) AS _postgrest_t`;
  return { text, values: ctx.params.values };
}

/**
 * The count PostgREST calls "planned": the planner's row estimate for the rows the request
 * matches (its top plan node; explaining a count(*) would estimate the one row of the aggregate).
 */
export function plannedCountStatement(cache: SchemaCache, root: ReadNode, source?: string): Statement {
  const ctx: Ctx = { cache, params: new Params() };
  return { text: `EXPLAIN (FORMAT JSON) ${matchingRowsSql(ctx, root, source ?? relSql(root.relation), '1')}`, values: ctx.params.values };
}

/** WHERE of an update/delete; with limit/offset, only the first rows in the requested order (by ctid). */
function limitedWhere(ctx: Ctx, node: ReadNode, target: string): string {
  if (node.range.limit === undefined && !node.range.offset) return whereSql(ctx, node);
  const a = ident(node.alias);
  return ` WHERE ${a}.ctid IN (SELECT ${a}.ctid FROM ${target} AS ${a}${whereSql(ctx, node)}${orderSql(ctx, node)}${rangeSql(node)})`;
}

function columnList(cols: { name: string }[]): string {
  return cols.map((c) => ident(c.name)).join(', ');
}

/** The payload's value of a column, or the column's default when the object lacks the key. */
function withDefault(c: Column, object: string): string {
  return `CASE WHEN ${object} ? ${lit(c.name)} THEN _p.${ident(c.name)} ELSE ${c.default ?? 'NULL'} END`;
}

export function mutateStatement(cache: SchemaCache, plan: MutatePlan, req: ApiRequest, opts: { representation: boolean; count: boolean }): Statement {
  const ctx: Ctx = { cache, params: new Params() };
  const rel = plan.relation;
  const target = relSql(rel);
  const m = 'pgrst_m';
  let mutation: string;
  let inserted = false;
  if (plan.kind === 'insert' || plan.kind === 'put') {
    const payload = ctx.params.add(plan.payload);
    const rows = `(CASE WHEN json_typeof(${payload}::json) = 'array' THEN ${payload}::json ELSE json_build_array(${payload}::json) END)`;
    const cols = plan.columns;
    if (cols.length === 0) {
      mutation = `INSERT INTO ${target} SELECT FROM json_array_elements(${rows})`;
    } else if (plan.missingDefault) {
      // a key absent from a row takes the column's default (an explicit null stays null); as jsonb,
      // as PostgREST reads it, so a repeated key keeps its last value
      mutation = `INSERT INTO ${target} (${columnList(cols)}) SELECT ${cols.map((c) => withDefault(c, '_j.o')).join(', ')} FROM jsonb_array_elements(${rows}::jsonb) AS _j(o) CROSS JOIN LATERAL jsonb_populate_record(NULL::${target}, _j.o) AS _p`;
    } else {
      mutation = `INSERT INTO ${target} (${columnList(cols)}) SELECT ${columnList(cols)} FROM json_populate_recordset(NULL::${target}, ${rows}) AS _`;
      // PUT writes the body only when its key equals the URL's, compared as the column's type
      if (plan.keyMatch?.length) mutation += ` WHERE ${plan.keyMatch.map((k) => `_.${ident(k.column)} = ${ctx.params.add(k.value)}`).join(' AND ')}`;
    }
    if (plan.resolution && plan.conflict?.length) {
      // Every payload column, conflict columns included (setting them to themselves is harmless).
      const updatable = cols;
      mutation += plan.resolution === 'ignore-duplicates' || updatable.length === 0
        ? ` ON CONFLICT (${plan.conflict.map(ident).join(', ')}) DO NOTHING`
        : ` ON CONFLICT (${plan.conflict.map(ident).join(', ')}) DO UPDATE SET ${updatable.map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`).join(', ')}`;
    }
    // an upsert answers 201 only when it inserted something: rows it inserted have xmax 0
    inserted = rel.heap === true && (plan.kind === 'put' || plan.resolution === 'merge-duplicates');
    mutation += ` RETURNING ${target}.*${inserted ? `, (${target}.xmax = 0) AS pgrst_inserted` : ''}`;
  } else if (plan.kind === 'update') {
    const fake = { ...plan.target, alias: m };
    if (plan.columns.length === 0) {
      mutation = `SELECT ${ident(m)}.* FROM ${target} AS ${ident(m)} WHERE FALSE`;
    } else {
      const payload = ctx.params.add(plan.payload);
      const set = plan.columns.map((c) => `${ident(c.name)} = ${plan.missingDefault ? withDefault(c, `${payload}::jsonb`) : `_p.${ident(c.name)}`}`).join(', ');
      const record = plan.missingDefault ? `jsonb_populate_record(NULL::${target}, ${payload}::jsonb)` : `json_populate_record(NULL::${target}, ${payload}::json)`;
      mutation = `UPDATE ${target} AS ${ident(m)} SET ${set} FROM (SELECT * FROM ${record}) AS _p${limitedWhere(ctx, fake, target)} RETURNING ${ident(m)}.*`;
    }
  } else {
    const fake = { ...plan.target, alias: m };
    mutation = `DELETE FROM ${target} AS ${ident(m)}${limitedWhere(ctx, fake, target)} RETURNING ${ident(m)}.*`;
  }
  const root = plan.returning;
  const body = opts.representation ? bodySql(req.accept, req.stripNulls) : `''`;
  const pk = rel.pk.length ? `(SELECT json_build_array(${rel.pk.map((c) => `${ident(c)}::text`).join(', ')})::text FROM pgrst_source LIMIT 1)` : 'NULL';
  const shaped = opts.representation ? nodeSelect(ctx, { ...root, fromCte: true }, 'pgrst_mutated') : `SELECT 1 FROM pgrst_mutated`;
  // without a representation nothing is aggregated, so the final SELECT has no FROM: always one row
  // the inserted flag stays out of the rows the representation shows
  const mutated = inserted
    ? `pgrst_written AS (${mutation}), pgrst_mutated AS (SELECT ${columnList(rel.columns)} FROM pgrst_written)`
    : `pgrst_mutated AS (${mutation})`;
  const text = `WITH ${mutated}, pgrst_source AS (${shaped}) SELECT NULL::bigint AS total_result_set, (SELECT pg_catalog.count(*) FROM pgrst_mutated) AS page_total, ${body} AS body, ${pk.replace('FROM pgrst_source', 'FROM pgrst_mutated')} AS location, ${inserted ? '(SELECT pg_catalog.count(*) FROM pgrst_written WHERE pgrst_inserted)' : 'NULL::bigint'} AS inserted, ${GUCS}${opts.representation ? ' FROM (SELECT * FROM pgrst_source) AS _postgrest_t' : ''}`;
  return { text, values: ctx.params.values };
}

/**
 * `"s"."fn"("a" := ...)`, the arguments converted from JSON by json_to_record in a CTE, as
 * PostgREST does; the call itself stays a plain FROM item so its rows keep the function's type.
 */
function callSql(ctx: Ctx, plan: CallPlan): { cte: string; call: string } {
  const r = plan.routine;
  const fn = qi(r.schema, r.name);
  if (plan.singleParam) return { cte: '', call: `${fn}(${ctx.params.add(plan.payload)}::${plan.singleParam.type})` };
  const names = Object.keys(plan.args);
  if (!names.length) return { cte: '', call: `${fn}()` };
  const params = names.map((n) => r.params.find((p) => p.name === n)!);
  const rec = ctx.params.add(JSON.stringify(plan.args));
  const defs = params.map((p) => `${ident(p.name)} ${p.type}`).join(', ');
  const args = params.map((p) => `${p.variadic ? 'VARIADIC ' : ''}${ident(p.name)} := (SELECT _a.${ident(p.name)} FROM pgrst_args AS _a)`).join(', ');
  return { cte: `pgrst_args AS (SELECT * FROM json_to_record(${rec}::json) AS _a(${defs})), `, call: `${fn}(${args})` };
}

export function callStatement(cache: SchemaCache, plan: CallPlan, req: ApiRequest, count: boolean): Statement {
  const ctx: Ctx = { cache, params: new Params() };
  const { cte, call } = callSql(ctx, plan);
  const r = plan.routine;
  const head = (main: string, total: string, pageTotal: string, body: string) =>
    `WITH ${cte}pgrst_source AS (${main}) SELECT ${total} AS total_result_set, ${pageTotal} AS page_total, ${body} AS body, ${GUCS} FROM (SELECT * FROM pgrst_source) AS _postgrest_t`;
  if (plan.read && !r.returnsComposite) {
    // a set of scalars, filtered or ordered: its one column is named after the function
    const root = plan.read;
    const source = `(SELECT pgrst_scalar AS ${ident(r.name)} FROM ${call} AS pgrst_scalar)`;
    const main = nodeSelect(ctx, root, source);
    const total = count ? `(${countSql(ctx, root, source)})` : 'NULL::bigint';
    // the one column, under whatever name the select gave it
    const column = spreadColumns(root)[0]?.name ?? r.name;
    return { text: head(main, total, 'pg_catalog.count(_postgrest_t)', `coalesce(json_agg(_postgrest_t.${ident(column)}), '[]')::text`), values: ctx.params.values };
  }
  if (plan.read) {
    // rows of a composite result: the function call is the FROM item, shaped like a table read
    const root = plan.read;
    const main = nodeSelect(ctx, root, call);
    const total = count && r.returnsSet ? `(${countSql(ctx, root, call)})` : 'NULL::bigint';
    const agg = req.stripNulls ? 'json_strip_nulls(json_agg(_postgrest_t))' : 'json_agg(_postgrest_t)';
    const body = !r.returnsSet && req.accept !== 'csv' ? `coalesce((${agg}->0)::text, 'null')` : bodySql(req.accept, req.stripNulls);
    return { text: head(main, total, 'pg_catalog.count(_postgrest_t)', body), values: ctx.params.values };
  }
  if (r.returnsSet) {
    const root = { range: plan.range } as ReadNode;
    // a set of untyped records cannot be a FROM item without a column list: it is called in the select list
    const rows = r.returnType === 'record' ? `(SELECT ${call} AS pgrst_scalar) AS pgrst_call` : `${call} AS pgrst_scalar`;
    const main = `SELECT pgrst_scalar FROM ${rows}${rangeSql(root)}`;
    const total = count ? `(SELECT pg_catalog.count(*) FROM ${rows})` : 'NULL::bigint';
    return { text: head(main, total, 'pg_catalog.count(_postgrest_t)', `coalesce(json_agg(_postgrest_t.pgrst_scalar), '[]')::text`), values: ctx.params.values };
  }
  return {
    text: `WITH ${cte}pgrst_source AS (SELECT ${call} AS pgrst_scalar) SELECT NULL::bigint AS total_result_set, 1 AS page_total, coalesce((SELECT to_json(pgrst_scalar)::text FROM pgrst_source), 'null') AS body, ${GUCS}`,
    values: ctx.params.values,
  };
}
