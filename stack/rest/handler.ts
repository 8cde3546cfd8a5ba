import type pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { queryInRequestScope, withRequestScope, type RequestIdentity } from '../db/request-scope.js';
import { authenticate, type Identity } from './auth.js';
import { transactionEnd } from './db-config.js';
import { jwtKeys } from '../jwt/keys.js';
import { BodyTooLarge, readCapped } from '../gateway/body-limit.js';
import { ApiError, invalidPreferences, maxAffectedRpcViolation, putMatchingPk, maxAffectedViolation, schemaCacheNotLoaded, singularityError, toApiError } from './errors.js';
import { openApiDocument, VISIBLE_SQL } from './openapi.js';
import { parseRequest, type ApiRequest, type Preferences } from './parse.js';
import { plan, type Plan } from './plan.js';
import { callStatement, ident, mutateStatement, plannedCountStatement, readStatement, type Statement } from './query.js';
import {
  contentRange, contentType, errorResponse, gucOverrides, preferenceApplied, rangeStatus, type ResultRow,
} from './response.js';
import type { SchemaCache } from './schema-cache.js';

/**
 * One request through PostgREST's pipeline: parse → authenticate → plan → one statement in
 * one transaction as the request's role → response. Any failure becomes PostgREST's error body.
 */

export interface HandlerDeps {
  config: StackConfig;
  /** exposed schemas, the first being the default profile */
  schemas: string[];
  apiPool: pg.Pool;
  cache: () => SchemaCache | null;
}

const utf8 = new TextDecoder();

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Location, Location, Preference-Applied, Range-Unit',
};

export function createHandler(deps: HandlerDeps) {
  const keys = jwtKeys(deps.config);
  // pg_timezone_names, read once, when a request first asks for a time zone (reading it costs a
  // backend a few MB, so not at start)
  let zones: Promise<Set<string>> | null = null;
  const timezones = () => {
    zones ??= deps.apiPool.query<{ name: string }>('select name from pg_timezone_names')
      .then((r) => new Set(r.rows.map((row) => row.name)))
      .catch((err) => {
        zones = null;
        throw err;
      });
    return zones;
  };
  const schemas = deps.schemas;

  return async function handle(request: Request, subpath: string): Promise<Response> {
    let identity: Identity | undefined;
    try {
      const url = new URL(request.url);
      if (request.method === 'OPTIONS') {
        return new Response(null, {
          status: 200,
          headers: {
            ...CORS,
            Allow: 'OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE',
            'Access-Control-Allow-Methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD',
            'Access-Control-Allow-Headers': request.headers.get('access-control-request-headers') ?? '*',
            'Access-Control-Max-Age': '86400',
          },
        });
      }
      // who is calling is settled before a byte of the body is read
      identity = await authenticate(request.headers, keys, 'anon');
      const bytes = request.method === 'GET' || request.method === 'HEAD' ? undefined : await readCapped(request, deps.config.bodyLimits.rest);
      const body = bytes ? utf8.decode(bytes) : '';
      const req = parseRequest({ method: request.method, path: subpath, query: url.searchParams, headers: request.headers, body, bytes }, schemas);
      const cache = deps.cache();
      if (!cache) throw schemaCacheNotLoaded();
      // a time zone Postgres does not know is ignored, as PostgREST does (refused with handling=strict)
      if (req.prefer.timezone && !(await timezones()).has(req.prefer.timezone)) {
        if (req.prefer.handling === 'strict') throw invalidPreferences([`timezone=${req.prefer.timezone}`]);
        delete req.prefer.timezone;
      }

      if (req.target.kind === 'root') {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'PGRST117', `Unsupported HTTP method: ${req.method}`);
        // only what the caller's role may use is described (PostgREST's follow-privileges mode)
        const who = identity;
        const visible = await withRequestScope(deps.apiPool, { role: who.role, claims: who.claims, method: req.method, path: '/' }, async (client) => {
          const { rows } = await client.query<{ kind: string; name: string }>(VISIBLE_SQL, [req.schema]);
          return {
            relations: new Set(rows.filter((r) => r.kind === 'r').map((r) => r.name)),
            routines: new Set(rows.filter((r) => r.kind === 'f').map((r) => r.name)),
          };
        }, { readOnly: true });
        const doc = JSON.stringify(openApiDocument(cache, req.schema, url, deps.config, visible));
        return new Response(req.method === 'HEAD' ? null : doc, {
          status: 200,
          headers: { ...CORS, 'Content-Type': 'application/openapi+json; charset=utf-8', ...(schemas.length > 1 ? { 'Content-Profile': req.schema } : {}) },
        });
      }

      const rollback = transactionEnd(cache.db, req.prefer) === 'rollback';
      const planned = plan(req, cache, cache.db.maxRows);
      const searchPath = [req.schema, ...cache.db.extraSearchPath].map(ident).join(', ');
      return await execute(deps, req, planned, cache, identity, searchPath, request, subpath, rollback);
    } catch (err) {
      if (err instanceof BodyTooLarge) return bodyTooLarge();
      const apiErr = toApiError(err, identity?.authenticated ?? false);
      if (apiErr.status >= 500) console.error(err);
      return errorResponse(apiErr, CORS);
    }
  };
}

/**
 * A body over the cap, answered as Supabase's API gateway in front of PostgREST answers it.
 */
function bodyTooLarge(): Response {
  return new Response(JSON.stringify({ message: 'Request size limit exceeded' }), {
    status: 413,
    headers: { ...CORS, 'Content-Type': 'application/json; charset=utf-8' },
  });
}

function isReadOnly(req: ApiRequest, p: Plan): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  return p.kind === 'call' && p.routine.volatility !== 'v';
}

const lowerHeaders = (h: Headers) => {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  return out;
};

async function execute(
  deps: HandlerDeps, req: ApiRequest, p: Plan, cache: SchemaCache, identity: Identity, searchPath: string,
  request: Request, subpath: string, rollback: boolean,
): Promise<Response> {
  const maxRows = cache.db.maxRows;
  const representation = req.prefer.return === 'representation';
  const scope: RequestIdentity = {
    role: identity.role, claims: identity.claims, method: req.method, path: `/${subpath.replace(/^\//, '')}`,
    headers: lowerHeaders(request.headers),
    settings: req.prefer.timezone ? { search_path: searchPath, timezone: req.prefer.timezone } : { search_path: searchPath },
  };
  const readOnly = isReadOnly(req, p);
  const countable = p.kind === 'read' || (p.kind === 'call' && p.read && p.routine.returnsSet);
  const estimate = (req.prefer.count === 'planned' || req.prefer.count === 'estimated') && countable;
  const statement = (exact: boolean): Statement => {
    if (p.kind === 'read') return readStatement(cache, p, { count: exact, accept: req.accept, stripNulls: req.stripNulls });
    if (p.kind === 'call') return callStatement(cache, p, req, exact || req.prefer.count !== undefined);
    return mutateStatement(cache, p, req, { representation, count: exact });
  };
  // checks that undo the transaction when they fail, as PostgREST does
  const outcome = (row: ResultRow, planned: number | null, exact: boolean) => {
    const pageTotal = Number(row.page_total);
    // a PUT whose body key differs from the URL's wrote nothing
    if (p.kind === 'put' && pageTotal !== 1) throw putMatchingPk();
    // a singular response needs exactly one row (a non-set function result is one already)
    if (req.accept === 'object' && (p.kind !== 'call' || p.routine.returnsSet)) {
      if (pageTotal !== 1) throw singularityError(pageTotal);
    }
    if (req.prefer.handling === 'strict' && req.prefer.maxAffected !== undefined) {
      if (p.kind === 'call' && !p.routine.returnsSet) throw maxAffectedRpcViolation();
      // updates, deletes and set-returning calls; PostgREST does not limit inserts
      if ((p.kind === 'update' || p.kind === 'delete' || p.kind === 'call') && pageTotal > req.prefer.maxAffected) throw maxAffectedViolation(pageTotal);
    }
    const total = row.total_result_set === null ? (planned !== null && !exact ? planned : null) : Number(row.total_result_set);
    return { row, pageTotal, total, overrides: gucOverrides(row) };
  };
  // Most requests are one statement whose checks need no rollback: settings and statement then go
  // in one round trip. Writes and function calls that a singular or strict-limit check may undo
  // keep the explicit transaction (a table read has nothing to undo).
  const undoable = (req.accept === 'object' && (p.kind !== 'call' || p.routine.returnsSet)) ||
    (req.prefer.handling === 'strict' && req.prefer.maxAffected !== undefined && p.kind !== 'insert' && p.kind !== 'put');
  const oneStatement = !cache.db.preRequest && !estimate && !rollback && (p.kind === 'read' || !undoable);
  const exactCount = req.prefer.count === 'exact';
  const result = oneStatement
    ? outcome((await queryInRequestScope<ResultRow>(deps.apiPool, scope, statement(exactCount), { readOnly }))[0], null, exactCount)
    : await withRequestScope(deps.apiPool, scope, async (client) => {
      if (cache.db.preRequest) {
        await client.query(`select ${cache.db.preRequest.split('.').map(ident).join('.')}()`);
      }
      let planned: number | null = null;
      let exact = exactCount;
      if (estimate) {
        if (p.kind === 'read') {
          const st = plannedCountStatement(cache, p.root);
          const { rows } = await client.query(st.text, st.values);
          planned = Math.round(rows[0]['QUERY PLAN'][0].Plan['Plan Rows']);
          if (req.prefer.count === 'estimated' && planned <= (maxRows ?? 1000)) exact = true;
        } else exact = true;
      }
      const { rows } = await client.query<ResultRow>(statement(exact));
      return outcome(rows[0], planned, exact);
    }, { readOnly, rollback });

  const headers = new Headers(CORS);
  const { row, pageTotal, total, overrides } = result;
  // what each kind of request reports in Preference-Applied, as PostgREST's Response does
  const applied = new Set<keyof Preferences>(['count', 'tx', 'handling', 'timezone']);
  let status = 200;
  let body: string | null = row.body;
  headers.set('Content-Type', contentType(req));
  if (p.kind === 'read' || p.kind === 'call') {
    const lower = p.kind === 'read' ? p.root.range.offset : p.read?.range.offset ?? p.range.offset;
    const setResult = p.kind === 'read' || p.routine.returnsSet;
    if (p.kind === 'call') applied.add('maxAffected');
    if (setResult) {
      headers.set('Content-Range', contentRange(lower, pageTotal, total));
      status = rangeStatus(lower, pageTotal, total);
    } else if (!p.routine.returnsVoid) {
      // one value is a range of one row
      headers.set('Content-Range', contentRange(0, 1, req.prefer.count ? 1 : null));
    }
    if (p.kind === 'call' && p.routine.returnsVoid) {
      status = 204;
      body = null;
      headers.delete('Content-Type');
    }
  } else {
    const inserted = row.inserted === null || row.inserted === undefined ? null : Number(row.inserted);
    applied.add('return');
    if (p.kind === 'insert') {
      // a merging upsert that inserted nothing is a 200
      status = inserted === 0 && req.prefer.resolution === 'merge-duplicates' ? 200 : 201;
      // PostgREST reports no range for inserted rows, only their count when asked
      headers.set('Content-Range', `*/${req.prefer.count ? pageTotal : '*'}`);
      if (p.relation.pk.length || req.onConflict) applied.add('resolution');
      applied.add('missing');
      if (req.prefer.return === 'headers-only' && row.location && pageTotal === 1) {
        const pk = JSON.parse(row.location) as string[];
        const q = p.relation.pk.map((c, i) => `${encodeURIComponent(c)}=eq.${encodeURIComponent(pk[i])}`).join('&');
        headers.set('Location', `/${p.relation.name}?${q}`);
      }
    } else if (p.kind === 'put') {
      // PUT reports no range: 201 when it inserted the row, 200 when it replaced it
      status = inserted === null || inserted > 0 ? 201 : 200;
    } else if (p.kind === 'delete') {
      headers.set('Content-Range', `*/${req.prefer.count ? pageTotal : '*'}`);
      applied.add('maxAffected');
    } else {
      headers.set('Content-Range', contentRange(0, pageTotal, req.prefer.count ? pageTotal : null));
      applied.add('missing').add('maxAffected');
    }
    if (!representation) {
      body = null;
      headers.delete('Content-Type');
      if (p.kind !== 'insert') status = 204;
    }
  }
  // with several schemas exposed the profile is negotiated, and PostgREST names it beside the body
  if (headers.has('Content-Type') && deps.schemas.length > 1) headers.set('Content-Profile', req.schema);
  const pa = preferenceApplied(req.prefer, applied);
  if (pa) headers.set('Preference-Applied', pa);
  // headers a function set replace ours of the same name; its own repeats (Set-Cookie) all go out
  const replaced = new Set<string>();
  for (const [k, v] of overrides.headers) {
    if (replaced.has(k.toLowerCase())) headers.append(k, v);
    else headers.set(k, v), replaced.add(k.toLowerCase());
  }
  if (overrides.status !== null) status = overrides.status;
  if (req.method === 'HEAD' || status === 204 || status === 304) body = null;
  return new Response(body, { status, headers });
}
