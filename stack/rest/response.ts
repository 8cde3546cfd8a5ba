import { type ApiError, gucHeadersError, gucStatusError, invalidRange } from './errors.js';
import type { Accept, ApiRequest, Preferences } from './parse.js';

/**
 * Shapes the HTTP answer from the statement's single result row (PostgREST's Response):
 * status, Content-Type, Content-Range, Preference-Applied, Location and the headers/status a
 * function may set through the `response.headers` / `response.status` settings.
 */

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

/** PostgREST's order for Preference-Applied; max-affected is reported only with handling=strict. */
const APPLIED_ORDER: Array<keyof Preferences> = ['resolution', 'missing', 'return', 'count', 'tx', 'handling', 'timezone', 'maxAffected'];

export function preferenceApplied(prefer: Preferences, applied: Set<keyof Preferences>): string | null {
  const parts: string[] = [];
  for (const key of APPLIED_ORDER) {
    const v = prefer[key];
    if (v === undefined || !applied.has(key)) continue;
    if (key === 'maxAffected') {
      if (prefer.handling === 'strict') parts.push(`max-affected=${v}`);
    } else parts.push(`${key}=${v}`);
  }
  return parts.length ? parts.join(', ') : null;
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

export function errorResponse(err: ApiError, extraHeaders: Record<string, string> = {}): Response {
  const body = JSON.stringify(err.body());
  return new Response(body, {
    status: err.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Proxy-Status': `PostgREST; error=${err.code}`, ...extraHeaders, ...err.headers },
  });
}
