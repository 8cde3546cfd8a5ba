import { splitTopLevel, unquote } from '../db/sql.js';

// A postgres_changes binding as Realtime parses it (Extensions.PostgresCdcRls.Subscriptions):
// event, schema, table and a `column=[not.]op.value` filter list joined with commas (AND).

export type ChangeEvent = 'INSERT' | 'UPDATE' | 'DELETE';
// No regular-expression operators (match, imatch): Supabase Realtime has none, and a client's
// pattern evaluated on the event loop could stall every service for seconds.
export type FilterOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'like' | 'ilike' | 'is' | 'isdistinct';
const OPS: readonly FilterOp[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'isdistinct'];

export interface Filter {
  column: string;
  op: FilterOp;
  /** One value, or the list for `in`. */
  value: string | string[];
  /** The `not.` prefix. */
  negate?: boolean;
}

export interface ChangeBinding {
  /** '*' or one event. */
  event: '*' | ChangeEvent;
  schema: string;
  /** '*' for every table of the schema that is in the publication. */
  table: string;
  filters: Filter[];
}

export type ParseResult = { ok: true; binding: ChangeBinding } | { ok: false; message: string };

/** A list of strings as Elixir's `inspect` prints it, as Realtime's parse errors show them: `["like", "hey"]`. */
export const inspectList = (items: unknown[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

function parseSegment(segment: string): Filter | string {
  const eq = segment.indexOf('=');
  if (eq <= 0) return inspectList([segment]);
  const column = segment.slice(0, eq).trim();
  let rest = segment.slice(eq + 1);
  const negate = rest.startsWith('not.');
  if (negate) rest = rest.slice(4);
  const dot = rest.indexOf('.');
  const op = dot < 0 ? rest : rest.slice(0, dot);
  const raw = dot < 0 ? '' : rest.slice(dot + 1);
  if (dot < 0 || !(OPS as readonly string[]).includes(op)) return inspectList(dot < 0 ? [rest] : [op, raw]);
  if (op === 'in') {
    const m = /^\((.*)\)$/s.exec(raw.trim());
    if (!m) return inspectList([op, raw]);
    return { column, op, value: splitTopLevel(m[1], ',', '(').map((v) => unquote(v.trim())), ...(negate ? { negate } : {}) };
  }
  if (op === 'is' && !/^(null|true|false|unknown)$/i.test(raw)) return inspectList([op, raw]);
  return { column, op: op as FilterOp, value: unquote(raw), ...(negate ? { negate } : {}) };
}

export function parseFilterString(filter: string): Filter[] | string {
  const trimmed = filter.trim();
  if (!trimmed) return [];
  const out: Filter[] = [];
  for (const segment of splitTopLevel(trimmed, ',', '(')) {
    const parsed = parseSegment(segment);
    if (typeof parsed === 'string') return `Error parsing \`filter\` params: ${parsed}`;
    out.push(parsed);
  }
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Parses one entry of the join's `config.postgres_changes`. */
export function parseBinding(params: unknown): ParseResult {
  if (!params || typeof params !== 'object' || Array.isArray(params)) {
    return { ok: false, message: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${JSON.stringify(params)}` };
  }
  const p = params as Record<string, unknown>;
  const upper = str(p.event)?.toUpperCase();
  const event: ChangeBinding['event'] = upper === 'INSERT' || upper === 'UPDATE' || upper === 'DELETE' ? upper : '*';
  const schema = str(p.schema);
  const table = str(p.table);
  const filter = p.filter;
  if (filter !== undefined && filter !== null && typeof filter !== 'string') {
    return { ok: false, message: `Error parsing \`filter\` params: ${inspectList([filter])}` };
  }
  if (schema === undefined && table === undefined) {
    return { ok: false, message: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${JSON.stringify(p)}` };
  }
  const filters = typeof filter === 'string' ? parseFilterString(filter) : [];
  if (typeof filters === 'string') return { ok: false, message: filters };
  if (filters.length && (table === undefined || table === '*')) {
    return { ok: false, message: 'Error parsing `filter` params: a filter needs a table' };
  }
  return { ok: true, binding: { event, schema: schema ?? 'public', table: table ?? '*', filters } };
}

/** Type families that compare as numbers, booleans or instants rather than as text. */
const NUMERIC_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700]);
const BOOL_TYPE = 16;
const TIME_TYPES = new Set([1082, 1114, 1184]);

function compare(raw: string, value: string, typeOid: number): number | null {
  if (NUMERIC_TYPES.has(typeOid)) {
    const a = Number(raw);
    const b = Number(value);
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (typeOid === BOOL_TYPE) {
    const norm = (s: string) => (/^(t|true|y|yes|on|1)$/i.test(s.trim()) ? 1 : /^(f|false|n|no|off|0)$/i.test(s.trim()) ? 0 : null);
    const a = norm(raw);
    const b = norm(value);
    if (a === null || b === null) return null;
    return a - b;
  }
  if (TIME_TYPES.has(typeOid)) {
    const toMs = (s: string) => Date.parse(s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
    const a = toMs(raw);
    const b = toMs(value);
    if (Number.isNaN(a) || Number.isNaN(b)) return raw === value ? 0 : raw < value ? -1 : 1;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  return raw === value ? 0 : raw < value ? -1 : 1;
}

/**
 * SQL LIKE without a regular expression: a client's pattern such as `%a%a%a%…b` must not make
 * the event loop backtrack for seconds. Greedy wildcard matching with one remembered `%` is
 * O(pattern × text) at worst.
 */
function likeMatch(pattern: string, text: string, caseless: boolean): boolean {
  const tokens: Array<{ any?: true; one?: true; ch?: string }> = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) tokens.push({ ch: pattern[++i] });
    else if (ch === '%') tokens.push({ any: true });
    else if (ch === '_') tokens.push({ one: true });
    else tokens.push({ ch });
  }
  const chars = [...(caseless ? text.toLowerCase() : text)];
  const same = (t: { ch?: string }, c: string) => (caseless ? t.ch!.toLowerCase() : t.ch) === c;
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < chars.length) {
    const tok = tokens[p];
    if (tok && !tok.any && (tok.one || same(tok, chars[t]))) {
      p++;
      t++;
    } else if (tok?.any) {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (tokens[p]?.any) p++;
  return p === tokens.length;
}

/** SQL's three-valued result of one filter on a value: null when SQL would say unknown. */
function evaluate(filter: Filter, raw: string | null, typeOid: number): boolean | null {
  const value = filter.value as string;
  if (filter.op === 'is') {
    const v = value.toLowerCase();
    if (v === 'null') return raw === null;
    if (v === 'unknown') return raw === null;
    if (raw === null) return false;
    return compare(raw, v, BOOL_TYPE) === 0;
  }
  if (filter.op === 'isdistinct') return raw === null ? true : compare(raw, value, typeOid) !== 0;
  if (raw === null) return null;
  switch (filter.op) {
    case 'in':
      return (filter.value as string[]).some((v) => compare(raw, v, typeOid) === 0);
    case 'like':
      return likeMatch(value, raw, false);
    case 'ilike':
      return likeMatch(value, raw, true);
  }
  const c = compare(raw, value, typeOid);
  if (c === null) return null;
  switch (filter.op) {
    case 'eq':
      return c === 0;
    case 'neq':
      return c !== 0;
    case 'lt':
      return c < 0;
    case 'lte':
      return c <= 0;
    case 'gt':
      return c > 0;
    case 'gte':
      return c >= 0;
    default:
      return null;
  }
}

function passes(filter: Filter, raw: string | null, typeOid: number): boolean {
  const result = evaluate(filter, raw, typeOid);
  // Unknown (null) never passes, negated or not, as realtime.is_visible_through_filters decides.
  if (result === null) return false;
  return filter.negate ? !result : result;
}

/**
 * Whether a row (column → text value as Postgres printed it) passes every filter, as
 * realtime.is_visible_through_filters decides: filters on columns the row does not carry are
 * skipped, but a row that carries none of the filtered columns is not visible; null matches
 * only `is.null` and `isdistinct`.
 */
export function visibleThroughFilters(filters: Filter[], row: Record<string, string | null> | null, types: Map<string, number>): boolean {
  if (!filters.length) return true;
  if (!row) return false;
  let matched = 0;
  for (const f of filters) {
    if (!(f.column in row)) continue;
    matched++;
    const raw = row[f.column] ?? null;
    if (!passes(f, raw, types.get(f.column) ?? 25)) return false;
  }
  return matched > 0;
}
