import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { LaneReply } from '../gateway/lane.js';
import { type ApiError, gucHeadersError, gucStatusError, invalidRange } from './errors.js';
import type { Plan } from './plan.js';
import { explainMime, PREFERENCES, type Accept, type ApiRequest, type ExplainRequest, type Preferences } from './parse.js';

/**
 * The HTTP answer (PostgREST's Response): from the planned request and the statement's result,
 * every status and header — Content-Type, Content-Range, Preference-Applied, Location, CORS — and
 * the headers/status a function may set through `response.headers` / `response.status`.
 */

export const CORS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Location, Location, Preference-Applied, Range-Unit',
};

export interface ResultRow {
  total_result_set: string | number | null;
  page_total: string | number;
  body: string | null;
  location?: string | null;
  /** rows an upsert inserted (rather than updated); null when not counted */
  inserted?: string | number | null;
  response_headers: string | null;
  response_status: string | null;
}

const CONTENT_TYPES: Record<Accept, string> = {
  json: 'application/json; charset=utf-8',
  object: 'application/vnd.pgrst.object+json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  openapi: 'application/openapi+json; charset=utf-8',
};

export function contentType(req: ApiRequest): string {
  if (req.accept === 'object' && req.stripNulls) return 'application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8';
  if (req.accept === 'json' && req.stripNulls) return 'application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8';
  return CONTENT_TYPES[req.accept];
}

/** `lower-upper/total`, `*\/total` when empty; total `*` when not counted. */
export function contentRange(lower: number, count: number, total: number | null): string {
  const upper = lower + count - 1;
  return `${lower > upper ? '*' : `${lower}-${upper}`}/${total === null ? '*' : total}`;
}

/** 200, 206 for a partial page of a counted result, 416 past its end. */
export function rangeStatus(lower: number, count: number, total: number | null): number {
  if (total === null) return 200;
  if (lower > total) {
    const err = invalidRange(`An offset of ${lower} was requested, but there are only ${total} rows.`);
    err.headers['Content-Range'] = `*/${total}`;
    throw err;
  }
  if (count < total) return 206;
  return 200;
}

const PREFERENCE_KEYS = Object.keys(PREFERENCES) as Array<keyof Preferences>;

/**
 * Preference-Applied: the preferences this kind of request honoured, in PostgREST's order;
 * max-affected is reported only with handling=strict.
 */
export function preferenceApplied(prefer: Preferences, applied: ReadonlySet<keyof Preferences>): string | null {
  let out: string | null = null;
  for (const key of PREFERENCE_KEYS) {
    const v = prefer[key];
    if (v === undefined || !applied.has(key)) continue;
    if (key === 'maxAffected' && prefer.handling !== 'strict') continue;
    const part = `${PREFERENCES[key].name}=${v}`;
    out = out === null ? part : `${out}, ${part}`;
  }
  return out;
}

/** Headers and status a function set with `set_config('response.headers' | 'response.status', ...)`. */
export function gucOverrides(row: ResultRow): { headers: Array<[string, string]>; status: number | null } {
  const headers: Array<[string, string]> = [];
  if (row.response_headers) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.response_headers);
    } catch {
      throw gucHeadersError();
    }
    if (!Array.isArray(parsed)) throw gucHeadersError();
    for (const item of parsed) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) throw gucHeadersError();
      const entries = Object.entries(item);
      if (entries.length !== 1 || typeof entries[0][1] !== 'string') throw gucHeadersError();
      // a name or value HTTP cannot carry (a space in the name, a line break in the value) is refused here, not on the wire
      try {
        validateHeaderName(entries[0][0]);
        validateHeaderValue(entries[0][0], entries[0][1]);
      } catch {
        throw gucHeadersError();
      }
      headers.push([entries[0][0], entries[0][1] as string]);
    }
  }
  let status: number | null = null;
  if (row.response_status) {
    const n = Number(row.response_status);
    if (!Number.isInteger(n) || n < 100 || n > 599) throw gucStatusError();
    status = n;
  }
  return { headers, status };
}

export function errorResponse(err: ApiError, extraHeaders: Readonly<Record<string, string>> = CORS): LaneReply {
  return {
    status: err.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Proxy-Status': `PostgREST; error=${err.code}`, ...extraHeaders, ...err.headers },
    body: JSON.stringify(err.body()),
  };
}

/** What the query stage hands over: the result row, read and checked. */
export interface QueryResult {
  row: ResultRow;
  /** rows in this page (or written) */
  pageTotal: number;
  /** the counted or estimated total; null when not counted */
  total: number | null;
  overrides: { headers: Array<[string, string]>; status: number | null };
  /** the query plan, when the request asked for it instead of the result */
  plan?: string;
}

/** What each kind of request reports in Preference-Applied, as PostgREST's Response does. */
const APPLIED = {
  read: new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone']),
  call: new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone', 'maxAffected']),
  insert: new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone', 'return', 'missing']),
  upsert: new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone', 'return', 'missing', 'resolution']),
  put: new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone', 'return']),
  delete: new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone', 'return', 'maxAffected']),
  update: new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone', 'return', 'missing', 'maxAffected']),
} as const;

/**
 * The response to a planned request from its result. `profiles` is how many schemas are exposed:
 * with several, the profile was negotiated and is named beside the body.
 */
export function respond(req: ApiRequest, p: Plan, result: QueryResult, profiles: number): LaneReply {
  if (req.explain && result.plan !== undefined) return planResponse(req.explain, req.method === 'HEAD' ? null : result.plan);
  const headers: Record<string, string | string[]> = { ...CORS };
  const { row, pageTotal, total, overrides } = result;
  let applied: ReadonlySet<keyof Preferences>;
  let status = 200;
  let body: string | null = row.body;
  let typed = true;
  if (p.kind === 'read' || p.kind === 'call') {
    applied = p.kind === 'read' ? APPLIED.read : APPLIED.call;
    const lower = p.kind === 'read' ? p.root.range.offset : p.read?.range.offset ?? p.range.offset;
    if (p.kind === 'read' || p.routine.returnsSet) {
      headers['Content-Range'] = contentRange(lower, pageTotal, total);
      status = rangeStatus(lower, pageTotal, total);
    } else if (!p.routine.returnsVoid) {
      // one value is a range of one row
      headers['Content-Range'] = contentRange(0, 1, req.prefer.count ? 1 : null);
    } else {
      status = 204;
      body = null;
      typed = false;
    }
  } else {
    const inserted = row.inserted === null || row.inserted === undefined ? null : Number(row.inserted);
    const counted = req.prefer.count ? pageTotal : '*';
    if (p.kind === 'insert') {
      applied = p.relation.pk.length || req.onConflict ? APPLIED.upsert : APPLIED.insert;
      // a merging upsert that inserted nothing is a 200
      status = inserted === 0 && req.prefer.resolution === 'merge-duplicates' ? 200 : 201;
      // PostgREST reports no range for inserted rows, only their count when asked
      headers['Content-Range'] = `*/${counted}`;
      if (req.prefer.return === 'headers-only' && row.location && pageTotal === 1) {
        const pk = JSON.parse(row.location) as string[];
        const q = p.relation.pk.map((c, i) => `${encodeURIComponent(c)}=eq.${encodeURIComponent(pk[i])}`).join('&');
        headers.Location = `/${p.relation.name}?${q}`;
      }
    } else if (p.kind === 'put') {
      applied = APPLIED.put;
      // PUT reports no range: 201 when it inserted the row, 200 when it replaced it
      status = inserted === null || inserted > 0 ? 201 : 200;
    } else if (p.kind === 'delete') {
      applied = APPLIED.delete;
      headers['Content-Range'] = `*/${counted}`;
    } else {
      applied = APPLIED.update;
      headers['Content-Range'] = contentRange(0, pageTotal, req.prefer.count ? pageTotal : null);
    }
    if (req.prefer.return !== 'representation') {
      body = null;
      typed = false;
      if (p.kind !== 'insert') status = 204;
    }
  }
  if (typed) {
    headers['Content-Type'] = contentType(req);
    if (profiles > 1) headers['Content-Profile'] = req.schema;
  }
  const pa = preferenceApplied(req.prefer, applied);
  if (pa) headers['Preference-Applied'] = pa;
  if (overrides.headers.length) override(headers, overrides.headers);
  if (overrides.status !== null) status = overrides.status;
  if (req.method === 'HEAD' || status === 204 || status === 304) body = null;
  return { status, headers, body };
}

/** Headers a function set replace ours of the same name (in any case); its own repeats (Set-Cookie) all go out. */
function override(headers: Record<string, string | string[]>, set: Array<[string, string]>): void {
  const replaced = new Map<string, string>();
  for (const [name, value] of set) {
    const lower = name.toLowerCase();
    const kept = replaced.get(lower);
    if (kept !== undefined) {
      const prior = headers[kept];
      headers[kept] = Array.isArray(prior) ? [...prior, value] : [prior, value];
      continue;
    }
    for (const ours of Object.keys(headers)) if (ours.toLowerCase() === lower) delete headers[ours];
    headers[name] = value;
    replaced.set(lower, name);
  }
}

/** A query plan: 200 with the plan's media type, naming the representation and options it was made for. */
function planResponse(e: ExplainRequest, plan: string | null): LaneReply {
  return { status: 200, headers: { ...CORS, 'Content-Type': `${explainMime(e)}; charset=utf-8` }, body: plan };
}

/** The answer to a CORS preflight. */
export function preflight(requestedHeaders: string | null): LaneReply {
  return {
    status: 200,
    headers: {
      ...CORS,
      Allow: 'OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE',
      'Access-Control-Allow-Methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD',
      'Access-Control-Allow-Headers': requestedHeaders ?? '*',
      'Access-Control-Max-Age': '86400',
    },
    body: null,
  };
}

/** The OpenAPI description at the root. */
export function openApiResponse(req: ApiRequest, doc: string, profiles: number): LaneReply {
  return {
    status: 200,
    headers: { ...CORS, 'Content-Type': 'application/openapi+json; charset=utf-8', ...(profiles > 1 ? { 'Content-Profile': req.schema } : {}) },
    body: req.method === 'HEAD' ? null : doc,
  };
}

/** A body over the cap, answered as Supabase's API gateway in front of PostgREST answers it. */
export function bodyTooLarge(): LaneReply {
  return { status: 413, headers: { ...CORS, 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ message: 'Request size limit exceeded' }) };
}
