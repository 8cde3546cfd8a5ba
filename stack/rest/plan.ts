import {
  ApiError, aggregatesNotAllowed, ambiguousFunction, ambiguousRelationship, columnNotFound, invalidBody, invalidPutFilters, noFunction,
  noRelationship, notEmbedded, putLimitNotAllowed, putMatchingPk, relatedOrderNotToOne, tableNotFound,
  unacceptableFilter, invalidRpcMethod, unacceptableMediaType, notImplemented,
} from './errors.js';
import { transactionEnd } from './db-config.js';
import { parseCondition, parseFilterParam, type Aggregate, type Condition, type Field, type Filter, type LogicTree, type OrderTerm, type SelectItem } from './grammar.js';
import { closestMatch } from './fuzzy.js';
import { explainMime, type ApiRequest, type Range } from './parse.js';
import { qualified, type Column, type Relation, type Relationship, type Routine, type SchemaCache } from './schema-cache.js';

/**
 * Resolves a parsed request against the schema cache (PostgREST's Plan): which relation or
 * function, which relationship each embed follows, which columns exist. Every identifier that
 * reaches SQL has been found here first.
 */

export type PlannedCond =
  | { kind: 'field'; field: Field; cond: Condition }
  | { kind: 'embedNull'; child: ReadNode; negated: boolean }
  /** a condition on an embedded resource inside and/or: true when a related row matches */
  | { kind: 'related'; chain: ReadNode[]; cond: PlannedCond }
  | { kind: 'logic'; op: 'and' | 'or'; negated: boolean; children: PlannedCond[] };

export type Projection =
  | { kind: 'field'; field: Field; alias?: string; cast?: string; aggregate?: Aggregate; aggregateCast?: string }
  | { kind: 'star' }
  | { kind: 'embed'; node: ReadNode };

export interface PlannedOrder {
  term: OrderTerm;
  /** the to-one child an embedded order refers to */
  child?: ReadNode;
}

export interface ReadNode {
  relation: Relation;
  /** name the client refers to it by: alias if given, else the relation name */
  name: string;
  outputName: string;
  alias: string;
  projections: Projection[];
  conds: PlannedCond[];
  order: PlannedOrder[];
  range: Range;
  children: ReadNode[];
  rel?: Relationship;
  join: 'left' | 'inner';
  spread: boolean;
  toOne: boolean;
  /** columns of this to-one node the parent orders by */
  orderExports: Field[];
  /** `embed(count)`: the embed is `[{"count": n}]`, as on Supabase (the legacy count of related rows) */
  countOnly?: boolean;
  /** rows come from a data-modifying CTE (a write's representation), not from the relation itself */
  fromCte?: boolean;
  /** `embed()` with nothing selected: joined for filtering, absent from the output */
  hidden?: boolean;
  /** relations without a catalogue (a function's anonymous record): columns are not checked */
  open?: boolean;
}

export interface ReadPlan {
  kind: 'read';
  root: ReadNode;
}

export interface MutatePlan {
  kind: 'insert' | 'update' | 'delete' | 'put';
  relation: Relation;
  columns: Column[];
  payload: string;
  /** set by PATCH/PUT: the single object of the payload */
  conflict?: string[];
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missingDefault: boolean;
  conds: PlannedCond[];
  /** the rows an update/delete touches: its filters, and order/limit/offset for limited changes */
  target: ReadNode;
  returning: ReadNode;
  /** PUT: the primary key the URL names, which the body's must equal */
  keyMatch?: Array<{ column: string; value: string }>;
}

export interface CallPlan {
  kind: 'call';
  routine: Routine;
  /** arguments passed by name, as JSON */
  args: Record<string, unknown>;
  /** the whole body is passed to the function's single json/jsonb parameter */
  singleParam?: { param: string; type: string };
  /** the body as the single parameter gets it: JSON text, or raw text, XML or bytes */
  payload: string | Buffer;
  /** select/filters/order over the function's rows (composite results) */
  read: ReadNode | null;
  /** limit/offset of a set of scalars */
  range: Range;
}

/**
 * How the request's statements run, decided with the plan as PostgREST's Plan does: read-only or
 * not, rolled back or committed, and whether anything needs an explicit transaction at all.
 */
export interface TxShape {
  readOnly: boolean;
  /** `Prefer: tx=rollback` */
  rollback: boolean;
  /** `count=planned|estimated` on a countable result: the planner's estimate is read first */
  estimate: boolean;
  /**
   * A check after the statement may undo it (a singular response that is not one row, a strict
   * max-affected that is exceeded).
   */
  undoable: boolean;
  /**
   * Settings and statement in one round trip: nothing runs before the statement (pre-request,
   * estimate) and nothing after it may need undoing.
   */
  oneStatement: boolean;
}

export type Plan = (ReadPlan | MutatePlan | CallPlan) & { tx: TxShape };
type Action = ReadPlan | MutatePlan | CallPlan;

function txShape(req: ApiRequest, p: Action, cache: SchemaCache, rollback: boolean): TxShape {
  const reading = req.method === 'GET' || req.method === 'HEAD';
  const readOnly = reading || (p.kind === 'call' && p.routine.volatility !== 'v');
  const countable = p.kind === 'read' || (p.kind === 'call' && p.read !== null && p.routine.returnsSet);
  const estimate = (req.prefer.count === 'planned' || req.prefer.count === 'estimated') && countable;
  const undoable = (req.accept === 'object' && (p.kind !== 'call' || p.routine.returnsSet)) ||
    (req.prefer.handling === 'strict' && req.prefer.maxAffected !== undefined && p.kind !== 'insert' && p.kind !== 'put');
  // a table read has nothing to undo: its singular check fails before anything was written
  const oneStatement = !cache.db.preRequest && !estimate && !rollback && !req.explain && (p.kind === 'read' || !undoable);
  return { readOnly, rollback, estimate, undoable, oneStatement };
}

export const undefinedColumn = (rel: string, col: string) => new ApiError(400, '42703', `column ${rel}.${col} does not exist`);

class Aliases {
  private n = 0;
  next(): string {
    return `pgrst_${this.n++}`;
  }
}

function findRelation(cache: SchemaCache, schema: string, name: string): Relation {
  const rel = cache.relations.get(qualified(schema, name));
  if (!rel) {
    const names = [...cache.relations.values()].filter((r) => r.schema === schema).map((r) => r.name);
    const close = closestMatch(name, names, 0.75);
    throw tableNotFound(schema, name, close ? `Perhaps you meant the table '${schema}.${close}'` : null);
  }
  return rel;
}

function relationshipsFor(cache: SchemaCache, rel: Relation): Relationship[] {
  return cache.relationships.get(qualified(rel.schema, rel.name)) ?? [];
}

function describeRel(r: Relationship): Record<string, string> {
  const cols = (xs: string[]) => `(${xs.join(', ')})`;
  if (r.cardinality === 'm2m') {
    const j = r.junction!;
    return {
      cardinality: 'many-to-many',
      embedding: `${r.table.name} with ${r.foreign.name}`,
      relationship: `${j.table.name} using ${j.constraint1}${cols(j.sourceColumns.map((c) => c[0]))} and ${j.constraint2}${cols(j.targetColumns.map((c) => c[0]))}`,
    };
  }
  const names = { m2o: 'many-to-one', o2m: 'one-to-many', o2o: 'one-to-one' } as const;
  return {
    cardinality: names[r.cardinality],
    embedding: `${r.table.name} with ${r.foreign.name}`,
    relationship: `${r.constraint} using ${r.table.name}${cols(r.columns.map((c) => c[0]))} and ${r.foreign.name}${cols(r.columns.map((c) => c[1]))}`,
  };
}

function hintFor(r: Relationship): string {
  return `'${r.foreign.name}!${r.cardinality === 'm2m' ? r.junction!.table.name : r.constraint}'`;
}

const singleColumn = (r: Relationship) => (r.cardinality !== 'm2m' && r.columns.length === 1 ? r.columns[0] : null);

/**
 * Whether `target` (with its `!hint`) names relationship `r`, by PostgREST's rules (Plan.findRel):
 * a computed relationship by its function's name; a self-reference by the table's name for its
 * one-to-many side (a hint then naming the referencing column) or by the foreign key column for
 * its many-to-one side; any other by the target's name (a hint naming its constraint, a column
 * of either side, or the junction), or, for tables, by the constraint or the foreign key column.
 */
function names(r: Relationship, target: string, hint: string | undefined): boolean {
  if (r.computed) return r.constraint === target;
  const col = singleColumn(r);
  if (r.table === r.foreign) {
    if (hint) return r.foreign.name === target && r.cardinality === 'o2m' && col?.[1] === hint;
    return (r.foreign.name === target && r.cardinality === 'o2m') || (col?.[0] === target && r.cardinality === 'm2o');
  }
  if (hint) {
    return r.foreign.name === target && (
      (r.cardinality !== 'm2m' && r.constraint === hint) || col?.[0] === hint || col?.[1] === hint ||
      (r.cardinality === 'm2m' && r.junction!.table.name === hint));
  }
  const toTable = r.foreign.kind === 'table';
  return r.foreign.name === target || (toTable && r.cardinality !== 'm2m' && r.constraint === target) || (toTable && col?.[0] === target);
}

export function findRelationship(cache: SchemaCache, parent: Relation, name: string, hint?: string): Relationship {
  // only relationships to relations (or through functions) of the parent's own schema
  const all = relationshipsFor(cache, parent).filter((r) => (r.computed ? r.computed.schema : r.foreign.schema) === parent.schema);
  let found = all.filter((r) => names(r, name, hint));
  // the same relationship may be reachable more than once (a view over the table); keep one
  const seen = new Set<string>();
  found = found.filter((r) => {
    const k = `${qualified(r.foreign.schema, r.foreign.name)}|${r.cardinality}|${r.constraint}|${r.junction?.table.name ?? ''}|${JSON.stringify(r.columns)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (found.length === 1) return found[0];
  if (found.length === 0) {
    const targets = all.map((r) => r.foreign.name);
    const close = all.length ? closestMatch(name, targets, 0.33) : null;
    const parents = [...cache.relationships.keys()].filter((k) => k.startsWith(`${parent.schema}.`)).map((k) => k.slice(parent.schema.length + 1));
    const hintText = all.length
      ? close && close !== name ? `Perhaps you meant '${close}' instead of '${name}'.` : null
      : (() => {
          const p = closestMatch(parent.name, parents, 0.33);
          return p && p !== parent.name ? `Perhaps you meant '${p}' instead of '${parent.name}'.` : null;
        })();
    throw noRelationship(parent.name, name, hint, parent.schema, hintText);
  }
  throw ambiguousRelationship(parent.name, name, found.map(describeRel),
    `Try changing '${name}' to one of the following: ${found.map(hintFor).join(', ')}. Find the desired relationship in the 'details' key.`);
}

function hasColumn(node: ReadNode, cache: SchemaCache, name: string): boolean {
  return node.open === true || node.relation.columnMap.has(name) || computedColumn(cache, node.relation, name) !== undefined;
}

export function computedColumn(cache: SchemaCache, rel: Relation, name: string): Routine | undefined {
  return cache.computed.get(qualified(rel.schema, rel.name))?.get(name);
}

interface Ctx {
  cache: SchemaCache;
  req: ApiRequest;
  aliases: Aliases;
  maxRows: number | null;
}

function buildNode(ctx: Ctx, relation: Relation, items: SelectItem[], path: string[], name: string, open = false): ReadNode {
  const node: ReadNode = {
    relation, name, outputName: name, alias: ctx.aliases.next(), projections: [], conds: [], order: [],
    range: { offset: 0 }, children: [], join: 'left', spread: false, toOne: false, orderExports: [], open,
  };
  for (const item of items) {
    if (item.kind === 'star') node.projections.push({ kind: 'star' });
    else if (item.kind === 'field') {
      const counted = item.aggregate === 'count' && item.field.name === '*';
      if (!counted && !hasColumn(node, ctx.cache, item.field.name) && !isLegacyCount(item.field)) throw undefinedColumn(relation.name, item.field.name);
      node.projections.push({ kind: 'field', field: item.field, alias: item.alias, cast: item.cast, aggregate: item.aggregate, aggregateCast: item.aggregateCast });
    } else {
      if (open) throw noRelationship(relation.name, item.name, item.hint, relation.schema);
      const rel = findRelationship(ctx.cache, relation, item.name, item.hint);
      const childName = item.alias ?? item.name;
      const countOnly = !item.spread && item.select.length === 1 && item.select[0].kind === 'field' && item.select[0].field.name === 'count' &&
        item.select[0].field.json.length === 0 && !item.select[0].alias && !item.select[0].aggregate && !rel.foreign.columnMap.has('count') &&
        rel.cardinality !== 'm2o' && rel.cardinality !== 'o2o';
      const child = buildNode(ctx, rel.foreign, countOnly ? [] : item.select, [...path, childName], childName);
      child.countOnly = countOnly;
      child.rel = rel;
      child.join = item.join ?? 'left';
      child.spread = item.spread;
      child.toOne = rel.cardinality === 'm2o' || rel.cardinality === 'o2o';
      child.outputName = item.alias ?? item.name;
      child.hidden = item.select.length === 0;
      node.children.push(child);
      node.projections.push({ kind: 'embed', node: child });
    }
  }
  if (path.length === 0) validateAggregates(ctx, node);
  return node;
}

/**
 * `count` that is no column: Postgres reads `alias.count` as `count(alias)`, which PostgREST's
 * legacy `select=count` (and `embed(count)`) relies on; the statement renders it as it is.
 */
function isLegacyCount(field: Field): boolean {
  return field.name === 'count' && field.json.length === 0;
}

export const hasAggregate = (node: ReadNode) => node.projections.some((p) => p.kind === 'field' && p.aggregate !== undefined);

/** Aggregates of a node and of the to-one spreads under it, which PostgREST hoists into it. */
export function aggregatesIn(node: ReadNode): boolean {
  return hasAggregate(node) || node.children.some((c) => c.spread && c.toOne && aggregatesIn(c));
}

/** As PostgREST's plan: aggregates only where `db_aggregates_enabled`, and never in a to-many spread. */
function validateAggregates(ctx: Ctx, root: ReadNode): void {
  const visit = (node: ReadNode, check: (n: ReadNode) => void) => {
    check(node);
    for (const c of node.children) visit(c, check);
  };
  if (!ctx.cache.db.aggregatesEnabled) visit(root, (n) => {
    if (hasAggregate(n)) throw aggregatesNotAllowed();
  });
  visit(root, (n) => {
    if (n.spread && !n.toOne && aggregatesIn(n)) throw notImplemented('Aggregates are not implemented for one-to-many or many-to-many spreads.');
  });
}

function nodeAt(root: ReadNode, path: string[]): ReadNode {
  let node = root;
  for (const seg of path) {
    const child = node.children.find((c) => c.name === seg || (c.rel && c.relation.name === seg && !c.outputName));
    const byName = child ?? node.children.find((c) => c.name === seg);
    if (!byName) throw notEmbedded(seg);
    node = byName;
  }
  return node;
}

function planFilter(ctx: Ctx, node: ReadNode, filter: Filter): PlannedCond {
  const { field, cond } = filter;
  if (!node.relation.columnMap.has(field.name) && !computedColumn(ctx.cache, node.relation, field.name)) {
    const child = node.children.find((c) => c.name === field.name);
    if (child && field.json.length === 0) {
      // `embedded=is.null` / `embedded=not.is.null`: anti- and semi-joins on an embed
      const val = typeof cond.value === 'string' ? cond.value.toLowerCase() : '';
      if (cond.op !== 'is' || (val !== 'null' && val !== 'not_null')) throw unacceptableFilter(field.name);
      return { kind: 'embedNull', child, negated: cond.negated !== (val === 'not_null') };
    }
    if (!node.open) throw undefinedColumn(node.relation.name, field.name);
  }
  return { kind: 'field', field, cond };
}

function planLogic(ctx: Ctx, root: ReadNode, base: string[], tree: LogicTree): { node: ReadNode; cond: PlannedCond } {
  const target = nodeAt(root, base);
  if (tree.kind === 'filter') {
    const node = nodeAt(root, [...base, ...tree.path]);
    const cond = planFilter(ctx, node, tree.filter);
    if (node === target || cond.kind === 'embedNull') return { node: target, cond };
    // a condition on an embedded resource inside or/and: true when a related row matches it
    const chain = tree.path.map((_, i) => nodeAt(root, [...base, ...tree.path.slice(0, i + 1)]));
    return { node: target, cond: { kind: 'related', chain, cond } };
  }
  const children = tree.children.map((c) => planLogic(ctx, root, base, c).cond);
  return { node: target, cond: { kind: 'logic', op: tree.op, negated: tree.negated, children } };
}

function applyModifiers(ctx: Ctx, root: ReadNode, topLevelRange: boolean): void {
  const { req } = ctx;
  for (const { path, filter } of req.filters) {
    const node = nodeAt(root, path);
    node.conds.push(planFilter(ctx, node, filter));
  }
  for (const { path, tree } of req.logic) {
    const { node, cond } = planLogic(ctx, root, path, tree);
    node.conds.push(cond);
  }
  for (const [key, terms] of req.order) {
    const node = nodeAt(root, key ? key.split('.') : []);
    for (const term of terms) {
      if (term.relation) {
        const child = node.children.find((c) => c.name === term.relation);
        if (!child) throw notEmbedded(term.relation);
        if (!child.toOne) throw relatedOrderNotToOne(node.relation.name, term.relation);
        if (!hasColumn(child, ctx.cache, term.field.name)) throw undefinedColumn(child.relation.name, term.field.name);
        child.orderExports.push(term.field);
        node.order.push({ term, child });
      } else {
        if (!hasColumn(node, ctx.cache, term.field.name)) throw undefinedColumn(node.relation.name, term.field.name);
        node.order.push({ term });
      }
    }
  }
  for (const [key, range] of req.ranges) {
    const node = nodeAt(root, key ? key.split('.') : []);
    node.range = { ...range };
  }
  if (topLevelRange) root.range = topRange(req, root.range, ctx.maxRows);
}

/** The top-level range: limit/offset intersected with the Range header, capped by max-rows. */
export function topRange(req: ApiRequest, fromQuery: Range, maxRows: number | null): Range {
  let { offset, limit } = fromQuery;
  if (req.headerRange) {
    const h = req.headerRange;
    const qUpper = limit === undefined ? Infinity : offset + limit - 1;
    const hUpper = h.limit === undefined ? Infinity : h.offset + h.limit - 1;
    offset = Math.max(offset, h.offset);
    const upper = Math.min(qUpper, hUpper);
    limit = upper === Infinity ? undefined : Math.max(0, upper - offset + 1);
  }
  if (maxRows !== null && (limit === undefined || limit > maxRows)) limit = maxRows;
  return { offset, limit };
}

function planRead(ctx: Ctx, relation: Relation): ReadPlan {
  const root = buildNode(ctx, relation, ctx.req.select, [], relation.name);
  applyModifiers(ctx, root, true);
  return { kind: 'read', root };
}

function payloadColumns(ctx: Ctx, relation: Relation, payload: unknown): Column[] {
  const { req } = ctx;
  if (req.columns) {
    return req.columns.map((c) => {
      const col = relation.columnMap.get(c);
      if (!col) throw columnNotFound(relation.name, c);
      return col;
    });
  }
  const rows = Array.isArray(payload) ? payload : [payload];
  const first = rows[0];
  if (rows.length === 0 || first === null || typeof first !== 'object' || Array.isArray(first)) return [];
  const keys = Object.keys(first as object);
  for (const r of rows) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw invalidBody('All object keys must match');
    const k = Object.keys(r);
    if (k.length !== keys.length || !k.every((x) => keys.includes(x))) throw invalidBody('All object keys must match');
  }
  return keys.map((k) => {
    const col = relation.columnMap.get(k);
    if (!col) throw columnNotFound(relation.name, k);
    return col;
  });
}

function checkPayloadShape(payload: unknown, allowArray: boolean): void {
  const ok = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (payload === undefined) throw invalidBody('Empty or invalid json');
  if (Array.isArray(payload)) {
    if (!allowArray) throw invalidBody('Empty or invalid json');
    if (!payload.every(ok)) throw invalidBody('All object keys must match');
  } else if (!ok(payload)) throw invalidBody('Empty or invalid json');
}

function planMutation(ctx: Ctx, relation: Relation): MutatePlan {
  const { req } = ctx;
  const returning = buildNode(ctx, relation, req.select, [], relation.name);
  // filters in the query string restrict an update/delete; embedded ones only shape the output
  const topFilters = req.filters.filter((f) => f.path.length === 0);
  // the top-level order also sorts the returned rows; the top-level limit/offset picks the rows to change
  const order = req.order;
  const ranges = new Map([...req.ranges].filter(([k]) => k !== ''));
  const embeddedReq = { ...req, filters: req.filters.filter((f) => f.path.length > 0), logic: req.logic.filter((l) => l.path.length > 0), order, ranges };
  applyModifiers({ ...ctx, req: embeddedReq }, returning, false);
  const scratch = buildNode(ctx, relation, [], [], relation.name);
  const conds = [
    ...topFilters.map((f) => planFilter(ctx, scratch, f.filter)),
    ...req.logic.filter((l) => l.path.length === 0).map((l) => planLogic(ctx, scratch, [], l.tree).cond),
  ];
  scratch.conds = conds;
  for (const term of req.order.get('') ?? []) {
    if (term.relation) throw notEmbedded(term.relation);
    if (!hasColumn(scratch, ctx.cache, term.field.name)) throw undefinedColumn(relation.name, term.field.name);
    scratch.order.push({ term });
  }
  scratch.range = req.ranges.get('') ?? { offset: 0 };
  const payloadText = () => JSON.stringify(req.payload);
  switch (req.method) {
    case 'POST': {
      checkPayloadShape(req.payload, true);
      const columns = payloadColumns(ctx, relation, req.payload);
      const conflict = req.prefer.resolution ? (req.onConflict ?? relation.pk) : req.onConflict;
      for (const c of conflict ?? []) if (!relation.columnMap.has(c)) throw undefinedColumn(relation.name, c);
      return { kind: 'insert', relation, columns, payload: payloadText(), conflict, resolution: req.prefer.resolution,
        missingDefault: req.prefer.missing === 'default', conds: [], target: scratch, returning };
    }
    case 'PATCH': {
      checkPayloadShape(req.payload, false);
      return { kind: 'update', relation, columns: payloadColumns(ctx, relation, req.payload), payload: payloadText(),
        missingDefault: req.prefer.missing === 'default', conds, target: scratch, returning };
    }
    case 'PUT': {
      checkPayloadShape(req.payload, true);
      const rows = Array.isArray(req.payload) ? req.payload : [req.payload];
      if (rows.length !== 1) throw invalidBody('Empty or invalid json');
      if (req.ranges.get('')) throw putLimitNotAllowed();
      const pk = relation.pk;
      const eqs = topFilters.filter((f) => f.filter.cond.op === 'eq' && !f.filter.cond.negated && f.filter.field.json.length === 0);
      if (!pk.length || eqs.length !== topFilters.length || eqs.length !== pk.length || !pk.every((c) => eqs.some((f) => f.filter.field.name === c))) {
        throw invalidPutFilters();
      }
      const row = rows[0] as Record<string, unknown>;
      // the key must be in the body; that it equals the URL's is checked in SQL, as typed values ('0600' = 600)
      for (const f of eqs) if (row[f.filter.field.name] === undefined) throw putMatchingPk();
      const keyMatch = eqs.map((f) => ({ column: f.filter.field.name, value: f.filter.cond.value as string }));
      return { kind: 'put', relation, columns: payloadColumns(ctx, relation, row), payload: JSON.stringify(row), conflict: pk,
        resolution: 'merge-duplicates', missingDefault: false, conds: [], target: scratch, returning, keyMatch };
    }
    case 'DELETE':
      return { kind: 'delete', relation, columns: [], payload: 'null', missingDefault: false, conds, target: scratch, returning };
    default:
      throw invalidRpcMethod(req.method);
  }
}

function routineLabel(r: Routine): string {
  return `${r.schema}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`;
}

function planCall(ctx: Ctx, name: string): CallPlan {
  const { req, cache } = ctx;
  if (!['GET', 'HEAD', 'POST'].includes(req.method)) throw invalidRpcMethod(req.method);
  const overloads = cache.routines.get(qualified(req.schema, name)) ?? [];
  const reading = req.method !== 'POST';
  let args: Record<string, unknown> = {};
  const extraFilters: Array<[string, string]> = [];
  if (req.prefer.params === 'single-object') {
    // the whole body (by GET, the query string as an object) goes to a single json/jsonb parameter
    const fn = `${req.schema}.${name}`;
    const single = overloads.filter((o) => o.params.length === 1 && /^jsonb?$/.test(o.params[0].type));
    if (!single.length) {
      throw noFunction(`Could not find the function ${fn} in the schema cache`,
        `Searched for the function ${fn} with a single json/jsonb parameter, but no matches were found in the schema cache.`, null);
    }
    if (single.length > 1) throw ambiguousFunction(`Could not choose the best candidate function between: ${single.map(routineLabel).join(', ')}`);
    const body = reading ? Object.fromEntries(req.rpcParams) : req.payload ?? {};
    return callPlanFor(ctx, name, single[0], {}, [], { param: single[0].params[0].name, type: single[0].params[0].type }, JSON.stringify(body));
  }
  if (reading) {
    // query-string arguments; the other parameters filter the result
    const params = new Map(overloads.flatMap((o) => o.params.map((p) => [p.name, p] as const)));
    const given = new Map<string, string[]>();
    for (const [k, v] of req.rpcParams) {
      // a value without an operator is an argument, as PostgREST reads it: one no overload
      // takes leaves no function to call
      if (params.has(k) || !isFilterValue(v)) given.set(k, [...(given.get(k) ?? []), v]);
      else extraFilters.push([k, v]);
    }
    for (const [k, values] of given) {
      // `?id=5&id=gt.2`: the plain value is the argument, the operator one filters the result
      const plain = values.length > 1 ? values.filter((v) => !isFilterValue(v)) : values;
      if (plain.length && plain.length < values.length) {
        for (const v of values) if (!plain.includes(v)) extraFilters.push([k, v]);
      }
      const argValues = plain.length ? plain : values;
      // a variadic parameter takes every value, one or more; another the last one given
      args[k] = params.get(k)?.variadic ? argValues : argValues[argValues.length - 1];
    }
  } else {
    const jsonBody = req.contentType === 'json' || req.contentType === 'none';
    if (jsonBody && req.payload !== undefined && !isObject(req.payload) && !(Array.isArray(req.payload) && isObject(req.payload[0]))) {
      // only a function with a single json parameter accepts a non-object body
      const single = overloads.find((o) => o.params.length === 1 && /^jsonb?$/.test(o.params[0].type));
      if (!single) throw invalidBody('Empty or invalid json');
    }
    // of an array of objects, the first gives the arguments, as PostgREST calls it once
    const first = Array.isArray(req.payload) && req.payload.length && isObject(req.payload[0]) ? req.payload[0] : req.payload;
    args = isObject(first) ? first : {};
  }
  const keys = Object.keys(args);
  const routine = findRoutine(req, cache, name, overloads, keys, !reading);
  const single = routine.params.length === 1 && routine.params[0].name === '';
  const singleParam = single ? { param: '', type: routine.params[0].type } : undefined;
  // text/plain, text/xml and application/octet-stream bodies go to the parameter as they are
  const raw = single && RAW_BODY_TYPES[req.contentType] !== undefined;
  return callPlanFor(ctx, name, routine, single ? {} : args, extraFilters, singleParam,
    raw ? (req.payload as string | Buffer) : JSON.stringify(req.payload ?? {}));
}

/** The media type a single unnamed parameter of each type is called with, by POST. */
const SINGLE_PARAM_BODIES: Record<string, ApiRequest['contentType'][]> = {
  json: ['json', 'none'], jsonb: ['json', 'none'], text: ['text'], xml: ['xml'], bytea: ['binary'],
};

/**
 * Overload resolution as PostgREST's findProc does it: the functions whose parameters the argument
 * names fit (every required one given, the rest among the optional ones); failing those, by POST,
 * the one with a single unnamed parameter that takes the body's media type. More than one is
 * ambiguous (PGRST203); none is PGRST202 with a hint at the closest function or parameter list.
 */
function findRoutine(req: ApiRequest, cache: SchemaCache, name: string, overloads: Routine[], keys: string[], post: boolean): Routine {
  const rawBody = post && (req.contentType === 'text' || req.contentType === 'xml' || req.contentType === 'binary');
  const given = new Set(keys);
  const fits = (r: Routine) => {
    if (r.params.length === 0) return given.size === 0 && !rawBody;
    let required = 0;
    for (const p of r.params) if (p.required) required++, (given.has(p.name) || (required = -Infinity));
    if (required < 0) return false;
    for (const k of given) if (!r.params.some((p) => p.name === k)) return false;
    return true;
  };
  const takesBody = (r: Routine) => post && r.params.length === 1 && r.params[0].name === '' &&
    (SINGLE_PARAM_BODIES[r.params[0].type] ?? []).includes(req.contentType);
  const named = overloads.filter(fits);
  const candidates = named.length ? named : overloads.filter(takesBody);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) throw ambiguousFunction(`Could not choose the best candidate function between: ${candidates.map(routineLabel).join(', ')}`);

  const fn = `${req.schema}.${name}`;
  const sorted = [...given].sort();
  const listed = sorted.join(', ');
  if (rawBody) {
    throw noFunction(`Could not find the function ${fn} in the schema cache`,
      `Searched for the function ${fn} with a single unnamed ${RAW_BODY_TYPES[req.contentType]} parameter, but no matches were found in the schema cache.`, null);
  }
  const withParams = sorted.length ? ` with parameter${sorted.length > 1 ? 's' : ''} ${listed}` : ' without parameters';
  const jsonBody = post && (req.contentType === 'json' || req.contentType === 'none');
  const paramList = (xs: string[]) => `(${[...xs].sort().join(', ')})`;
  const suggestion = overloads.length
    ? ((m) => (m === null ? null : `${name}${m}`))(closestMatch(paramList(sorted), overloads.map((o) => paramList(o.params.map((p) => p.name))), 0.33))
    : closestMatch(name, [...cache.routines.keys()].filter((k) => k.startsWith(`${req.schema}.`)).map((k) => k.slice(req.schema.length + 1)), 0.75);
  throw noFunction(`Could not find the function ${fn}${sorted.length ? `(${listed})` : ' without parameters'} in the schema cache`,
    `Searched for the function ${fn}${withParams}${jsonBody ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`,
    suggestion === null ? null : `Perhaps you meant to call the function ${req.schema}.${suggestion}`);
}


/** A function's result shaped as a view of the given columns, for select/filters/order over it. */
function pseudoRelation(routine: Routine, columns: Array<{ name: string; type: string }>): Relation {
  const cols = columns.map((c, i) => ({
    name: c.name, type: c.type, nullable: true, default: null, identity: '' as const, generated: false, enumValues: null, description: null, position: i + 1,
  }));
  return {
    schema: routine.schema, name: routine.name, kind: 'view', columns: cols, columnMap: new Map(cols.map((c) => [c.name, c])),
    pk: [], uniques: [], insertable: false, updatable: false, deletable: false, description: null,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const isFilterValue = (v: string) => {
  try {
    parseCondition(v, false);
    return true;
  } catch {
    return false;
  }
};

const RAW_BODY_TYPES: Partial<Record<ApiRequest['contentType'], string>> = { text: 'text', xml: 'xml', binary: 'bytea' };

/** The call of the chosen routine, with select/filters/order over its rows when it returns rows. */
function callPlanFor(
  ctx: Ctx, name: string, routine: Routine, args: Record<string, unknown>, extraFilters: Array<[string, string]>,
  singleParam: CallPlan['singleParam'], payload: CallPlan['payload'],
): CallPlan {
  const { req } = ctx;

  let read: ReadNode | null = null;
  const filters = [...req.filters, ...extraFilters.map(([k, v]) => parseFilterParam(k, v))];
  const shaped = (relation: Relation, open: boolean) => {
    const c2 = { ...ctx, req: { ...req, filters } };
    const root = buildNode(c2, relation, req.select, [], name, open);
    applyModifiers(c2, root, routine.returnsSet);
    return root;
  };
  if (routine.returnsComposite) {
    const relation: Relation = routine.returnRelation ?? pseudoRelation(routine, routine.outColumns);
    read = shaped(relation, !routine.returnRelation && routine.outColumns.length === 0);
  } else if (routine.returnsSet && (filters.length || req.order.has(''))) {
    // a set of scalars is filtered and ordered by the function's name as its one column, as PostgREST does
    read = shaped(pseudoRelation(routine, [{ name, type: routine.returnType }]), false);
  } else if (filters.length) {
    for (const f of filters) if (f.path.length || f.filter.field.name !== name) throw undefinedColumn(name, f.filter.field.name);
  }
  return { kind: 'call', routine, args, singleParam, payload, read, range: topRange(req, req.ranges.get('') ?? { offset: 0 }, ctx.maxRows) };
}

function planAction(ctx: Ctx): Action {
  const { req, cache } = ctx;
  const target = req.target;
  if (target.kind === 'rpc') return planCall(ctx, target.name);
  if (target.kind !== 'relation') throw new Error('root is not planned');
  const relation = findRelation(cache, req.schema, target.name);
  if (req.method === 'GET' || req.method === 'HEAD') return planRead(ctx, relation);
  return planMutation(ctx, relation);
}

export function plan(req: ApiRequest, cache: SchemaCache, maxRows: number | null): Plan {
  // the plan media type exists only with db_plan_enabled, as PostgREST negotiates it
  if (req.explain && !cache.db.planEnabled) throw unacceptableMediaType([explainMime(req.explain)]);
  // db_tx_end decides whether Prefer: tx may choose (it is dropped, or refused when strict, otherwise)
  const rollback = transactionEnd(cache.db, req.prefer) === 'rollback';
  const action = planAction({ cache, req, aliases: new Aliases(), maxRows }) as Plan;
  action.tx = txShape(req, action, cache, rollback);
  return action;
}
