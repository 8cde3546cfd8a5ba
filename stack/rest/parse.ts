import type { HeaderSource } from '../gateway/headers.js';
import { jsonNestsDeeper } from '../gateway/body-limit.js';
import {
  invalidBody, invalidPreferences, invalidRange, invalidResourcePath, unacceptableMediaType,
  unacceptableSchema, unsupportedContentType, unsupportedMethod,
} from './errors.js';
import {
  checkLogicPath, parseColumns, parseFilterParam, parseLogic, parseOrder, parseSelect, parseTreePath, splitPath,
  type Filter, type LogicTree, type OrderTerm, type SelectItem,
} from './grammar.js';

/**
 * The HTTP request turned into a typed PostgREST request (PostgREST's ApiRequest): what to act
 * on, with which query-string grammar, preferences and media types. No database access here.
 */

export type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS';

export type Target = { kind: 'root' } | { kind: 'relation'; name: string } | { kind: 'rpc'; name: string };

export type Accept = 'json' | 'object' | 'csv' | 'openapi';

export interface Preferences {
  return?: 'minimal' | 'headers-only' | 'representation';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  handling?: 'strict' | 'lenient';
  tx?: 'commit' | 'rollback';
  maxAffected?: number;
  params?: 'single-object';
  timezone?: string;
}

/** `Accept: application/vnd.pgrst.plan[+text|+json]; for="..."; options=a|b` (PostgREST's MTVndPlan). */
export interface ExplainRequest {
  format: 'text' | 'json';
  /** EXPLAIN options, in PostgREST's order */
  options: Array<'analyze' | 'verbose' | 'settings' | 'buffers' | 'wal'>;
  /** the representation whose query is explained, as PostgREST names it in Content-Type */
  for: string;
}

export interface Range {
  offset: number;
  limit?: number;
}

export interface ApiRequest {
  method: Method;
  target: Target;
  schema: string;
  /** the schema was picked with Accept-Profile/Content-Profile (not defaulted) */
  profileGiven: boolean;
  select: SelectItem[];
  /** filters by embedding path ('' = top level) */
  filters: Array<{ path: string[]; filter: Filter }>;
  logic: Array<{ path: string[]; tree: LogicTree }>;
  order: Map<string, OrderTerm[]>;
  ranges: Map<string, Range>;
  /** the Range header, as offset/limit */
  headerRange?: Range;
  /** query parameters that are neither grammar nor filters yet: the arguments of a GET RPC call */
  rpcParams: Array<[string, string]>;
  onConflict?: string[];
  columns?: string[];
  prefer: Preferences;
  /** preferences that were understood, for Preference-Applied */
  invalidPrefs: string[];
  accept: Accept;
  stripNulls: boolean;
  /** the query plan was asked for instead of the result */
  explain?: ExplainRequest;
  contentType: 'json' | 'csv' | 'form' | 'text' | 'xml' | 'binary' | 'none';
  body: string;
  /** parsed JSON (or CSV/form converted to JSON) payload; undefined when there is none */
  payload?: unknown;
  path: string;
}

export const pathKey = (path: string[]) => path.join('.');

/**
 * PostgREST parses the query string kind by kind: every `order`, then `and`/`or`, `columns`,
 * `select`, the filters and `on_conflict`; with several bad parameters the first of that list is
 * the one reported. Limits and offsets are read afterwards.
 */
function parseRank(key: string): number {
  if (key === 'select') return 3;
  if (key === 'columns') return 2;
  if (key === 'on_conflict') return 5;
  const last = splitPath(key).pop();
  if (last === 'order') return 0;
  if (last === 'and' || last === 'or') return 1;
  if (last === 'limit' || last === 'offset') return 6;
  return 4;
}

const inParseOrder = (query: Iterable<[string, string]>) =>
  [...query].map((entry, i) => ({ entry, i, rank: parseRank(entry[0]) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.entry);

const oneOf = <T extends string>(...values: T[]) => (v: string): T | undefined => ((values as string[]).includes(v) ? (v as T) : undefined);

/**
 * Every preference PostgREST knows: the name it has in `Prefer` (and in Preference-Applied) and
 * what values it takes. The order is the order Preference-Applied lists them in.
 */
export const PREFERENCES: { [K in keyof Preferences]-?: { name: string; read: (v: string) => Preferences[K] | undefined } } = {
  resolution: { name: 'resolution', read: oneOf('merge-duplicates', 'ignore-duplicates') },
  missing: { name: 'missing', read: oneOf('default', 'null') },
  return: { name: 'return', read: oneOf('minimal', 'headers-only', 'representation') },
  count: { name: 'count', read: oneOf('exact', 'planned', 'estimated') },
  tx: { name: 'tx', read: oneOf('commit', 'rollback') },
  handling: { name: 'handling', read: oneOf('strict', 'lenient') },
  // checked against Postgres's time zones once the schema cache is at hand (see timezones.ts)
  timezone: { name: 'timezone', read: (v) => v || undefined },
  maxAffected: { name: 'max-affected', read: (v) => (/^\d+$/.test(v) ? Number(v) : undefined) },
  params: { name: 'params', read: oneOf('single-object') },
};

const PREFERENCE_BY_NAME = new Map(
  (Object.keys(PREFERENCES) as Array<keyof Preferences>).map((key) => [PREFERENCES[key].name, { key, read: PREFERENCES[key].read as (v: string) => unknown }]),
);

function parsePrefer(header: string): { prefer: Preferences; invalid: string[] } {
  // the first value of each preference wins, as PostgREST takes the first it recognises
  const prefer: Preferences = {};
  const invalid: string[] = [];
  if (!header) return { prefer, invalid };
  for (const raw of header.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).split('=')[0].trim();
    const pref = PREFERENCE_BY_NAME.get(name);
    const parsed = pref?.read(value);
    if (parsed === undefined) invalid.push(item);
    else (prefer as Record<string, unknown>)[pref!.key] ??= parsed;
  }
  // unknown or invalid preferences are ignored, unless the client asked for strict handling
  if (prefer.handling === 'strict' && invalid.length) throw invalidPreferences(invalid);
  return { prefer, invalid };
}

const PLAN_OPTIONS: ExplainRequest['options'] = ['analyze', 'verbose', 'settings', 'buffers', 'wal'];

/** The representations a plan may be asked for, by the media type in `for`, and how PostgREST names them. */
const PLAN_FOR: Record<string, { accept: Accept; mime: string }> = {
  'application/json': { accept: 'json', mime: 'application/json' },
  '*/*': { accept: 'json', mime: 'application/json' },
  'application/vnd.pgrst.array+json': { accept: 'json', mime: 'application/json' },
  'application/vnd.pgrst.array': { accept: 'json', mime: 'application/json' },
  'application/vnd.pgrst.object+json': { accept: 'object', mime: 'application/vnd.pgrst.object+json' },
  'application/vnd.pgrst.object': { accept: 'object', mime: 'application/vnd.pgrst.object+json' },
  'text/csv': { accept: 'csv', mime: 'text/csv' },
};

/** The plan media type as PostgREST writes it (Content-Type, and the 406 when plans are off). */
export function explainMime(e: ExplainRequest): string {
  return `application/vnd.pgrst.plan+${e.format}; for="${e.for}"${e.options.length ? `; options=${e.options.join('|')}` : ''}`;
}

type Parsed = { accept: Accept; stripNulls: boolean; explain?: ExplainRequest };

/** `application/vnd.pgrst.plan...` with its parameters; null for a representation we cannot plan. */
function planRequest(type: string, params: string[]): Parsed | null {
  const param = (name: string) => {
    const p = params.find((x) => x.slice(0, x.indexOf('=')).trim().toLowerCase() === name);
    return p === undefined ? undefined : p.slice(p.indexOf('=') + 1).trim().replace(/^"(.*)"$/, '$1');
  };
  const target = PLAN_FOR[(param('for') ?? 'application/json').split(';')[0].trim().toLowerCase()];
  if (!target) return null;
  const asked = (param('options') ?? '').split('|');
  return {
    accept: target.accept,
    stripNulls: false,
    explain: { format: type.endsWith('+json') ? 'json' : 'text', options: PLAN_OPTIONS.filter((o) => asked.includes(o)), for: target.mime },
  };
}

/** Picks the representation from Accept, in the client's order of preference. */
function parseAccept(header: string | undefined, target: Target): Parsed {
  if (!header) return { accept: target.kind === 'root' ? 'openapi' : 'json', stripNulls: false };
  const types = header.split(',').map((t, i) => {
    const [type, ...params] = t.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return { type: type.toLowerCase(), params, q: q ? Number(q.slice(2)) : 1, i };
  }).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const t of types) {
    const stripNulls = t.params.some((p) => p.replace(/\s/g, '') === 'nulls=stripped');
    switch (t.type) {
      case '*/*':
      case 'application/*':
        return { accept: target.kind === 'root' ? 'openapi' : 'json', stripNulls: false };
      case 'application/json':
        return { accept: target.kind === 'root' ? 'openapi' : 'json', stripNulls: false };
      case 'application/vnd.pgrst.array+json':
        return { accept: 'json', stripNulls };
      case 'application/vnd.pgrst.object+json':
      case 'application/vnd.pgrst.object':
        return { accept: 'object', stripNulls };
      case 'text/csv':
        return { accept: 'csv', stripNulls: false };
      case 'application/openapi+json':
        if (target.kind === 'root') return { accept: 'openapi', stripNulls: false };
        break;
      case 'application/vnd.pgrst.plan':
      case 'application/vnd.pgrst.plan+text':
      case 'application/vnd.pgrst.plan+json': {
        const planned = target.kind === 'root' ? null : planRequest(t.type, t.params);
        if (planned) return planned;
      }
    }
  }
  throw unacceptableMediaType(types.map((t) => t.type));
}

function parseContentType(header: string | undefined): ApiRequest['contentType'] {
  if (!header) return 'none';
  const type = header.split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === 'application/vnd.pgrst.object+json' || type === 'application/vnd.pgrst.object' || type === '*/*') return 'json';
  if (type === 'text/csv') return 'csv';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'text/plain') return 'text';
  // raw bodies for a function's single unnamed xml or bytea parameter
  if (type === 'text/xml') return 'xml';
  if (type === 'application/octet-stream') return 'binary';
  throw unsupportedContentType(type);
}

/** `Range: 0-9` (items); open-ended `10-` allowed. */
function parseRangeHeader(value: string | undefined): Range | undefined {
  if (!value) return undefined;
  const m = /^(?:items=)?\s*(\d+)-(\d*)\s*$/.exec(value);
  if (!m) return undefined; // PostgREST ignores ranges it cannot read
  const lower = Number(m[1]);
  if (m[2] === '') return { offset: lower };
  const upper = Number(m[2]);
  if (lower > upper) throw invalidRange('The lower boundary must be lower than or equal to the upper boundary in the Range header.');
  return { offset: lower, limit: upper - lower + 1 };
}

/** CSV payload → array of objects keyed by the header row (values as strings; `NULL` unquoted is null). */
export function parseCsv(text: string): Array<Record<string, string | null>> {
  const rows: Array<Array<{ v: string; quoted: boolean }>> = [];
  let row: Array<{ v: string; quoted: boolean }> = [];
  let cur = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') (quoted = true), (wasQuoted = true);
    else if (ch === ',') row.push({ v: cur, quoted: wasQuoted }), (cur = ''), (wasQuoted = false);
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push({ v: cur, quoted: wasQuoted });
      rows.push(row);
      (row = []), (cur = ''), (wasQuoted = false);
    } else cur += ch;
  }
  if (quoted) throw invalidBody('Error in $: unterminated quoted CSV field');
  if (cur !== '' || row.length || wasQuoted) row.push({ v: cur, quoted: wasQuoted }), rows.push(row);
  const [header, ...data] = rows.filter((r) => !(r.length === 1 && r[0].v === '' && !r[0].quoted));
  if (!header) return [];
  return data.map((r) => {
    if (r.length !== header.length) throw invalidBody('All lines must have same number of fields');
    return Object.fromEntries(header.map((h, i) => [h.v, !r[i].quoted && r[i].v === 'NULL' ? null : r[i].v]));
  });
}

/** Nesting allowed in a JSON body. */
const MAX_JSON_DEPTH = 1000;

function parsePayload(body: string, contentType: ApiRequest['contentType']): unknown {
  if (contentType === 'csv') return parseCsv(body);
  if (contentType === 'form') {
    // a repeated key is a list (a variadic argument: `v=1&v=2`)
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    return out;
  }
  if (contentType === 'text' || contentType === 'xml') return body;
  if (body.trim() === '') return undefined;
  // refused before parsing: what walks the value afterwards (and jsonb) would overflow the stack
  if (jsonNestsDeeper(body, MAX_JSON_DEPTH)) throw invalidBody(`Empty or invalid json`, `The JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(body);
  } catch (_err) {
    throw invalidBody(`Empty or invalid json`);
  }
}

export interface HttpInput {
  method: string;
  /** path below /rest/v1, e.g. `/todos`, `/rpc/fn`, `/` */
  path: string;
  query: URLSearchParams;
  headers: HeaderSource;
  body: string;
  /** the body's bytes, when it is application/octet-stream */
  bytes?: Uint8Array;
}

export function parseRequest(input: HttpInput, schemas: string[]): ApiRequest {
  const method = input.method.toUpperCase();
  if (!['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'].includes(method)) throw unsupportedMethod(method);

  const segs = input.path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw invalidResourcePath(); // a malformed %-escape names no resource
    }
  });
  let target: Target;
  if (segs.length === 0) target = { kind: 'root' };
  else if (segs.length === 1) target = { kind: 'relation', name: segs[0] };
  else if (segs.length === 2 && segs[0] === 'rpc') target = { kind: 'rpc', name: segs[1] };
  else throw invalidResourcePath();

  const reading = method === 'GET' || method === 'HEAD';
  const profileHeader = input.headers.get(reading ? 'accept-profile' : 'content-profile') ?? undefined;
  const schema = profileHeader ?? schemas[0];
  if (!schemas.includes(schema)) throw unacceptableSchema(schema, schemas);

  const { prefer, invalid } = parsePrefer(input.headers.get('prefer') ?? '');
  const { accept, stripNulls, explain } = parseAccept(input.headers.get('accept') ?? undefined, target);
  const contentType = reading ? 'none' : parseContentType(input.headers.get('content-type') ?? undefined);

  const req: ApiRequest = {
    method: method as Method,
    target,
    schema,
    profileGiven: profileHeader !== undefined,
    select: [{ kind: 'star' }],
    filters: [],
    logic: [],
    order: new Map(),
    ranges: new Map(),
    headerRange: reading ? parseRangeHeader(input.headers.get('range') ?? undefined) : undefined,
    rpcParams: [],
    prefer,
    invalidPrefs: invalid,
    accept,
    stripNulls,
    explain,
    contentType,
    body: input.body,
    path: input.path,
  };

  const rangeOf = (key: string) => {
    if (!req.ranges.has(key)) req.ranges.set(key, { offset: 0 });
    return req.ranges.get(key)!;
  };
  for (const [key, value] of inParseOrder(input.query)) {
    const segments = splitPath(key);
    const last = segments[segments.length - 1];
    const path = segments.slice(0, -1);
    const lastTwo = segments.slice(-2).join('.');
    if (key === 'select') req.select = parseSelect(value);
    else if (key === 'on_conflict') req.onConflict = parseColumns('on_conflict', value);
    else if (key === 'columns') req.columns = parseColumns('columns', value);
    else if (last === 'order') {
      // PostgREST reads the key as a filter's before the value
      parseTreePath(key);
      req.order.set(pathKey(path), parseOrder(value));
    } else if (last === 'limit') {
      // as PostgREST 12/13: a limit that is not a number is no limit; a negative one is a 416
      if (/^-?\d+$/.test(value)) {
        const n = Number(value);
        if (n < 0) throw invalidRange('Limit should be greater than or equal to zero.');
        rangeOf(pathKey(path)).limit = n;
      }
    } else if (last === 'offset') {
      // a negative or unreadable offset is no offset
      if (/^\d+$/.test(value)) rangeOf(pathKey(path)).offset = Number(value);
      else rangeOf(pathKey(path));
    } else if (last === 'or' || last === 'and') {
      const negated = segments.length >= 2 && segments[segments.length - 2] === 'not';
      const lpath = negated ? segments.slice(0, -2) : path;
      checkLogicPath(key);
      req.logic.push({ path: lpath, tree: parseLogic(last, negated, value) });
    } else if (lastTwo === 'not.or' || lastTwo === 'not.and') {
      // handled above
    } else if (target.kind === 'rpc' && reading && segments.length === 1) {
      // could be an argument that looks like a filter ("eq.x" as a text argument): the planner decides
      req.rpcParams.push([key, value]);
    } else {
      req.filters.push(parseFilterParam(key, value));
    }
  }

  if (!reading && method !== 'OPTIONS' && target.kind !== 'root') {
    if ((contentType === 'xml' || contentType === 'binary') && target.kind !== 'rpc') throw unsupportedContentType(input.headers.get('content-type')!);
    req.payload = contentType === 'binary'
      ? Buffer.from(input.bytes ?? Buffer.from(input.body))
      : parsePayload(input.body, contentType === 'none' ? 'json' : contentType);
  }
  return req;
}
