import type pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { withRequestScope, type RequestIdentity } from '../db/request-scope.js';
import { ident } from '../db/sql.js';
import { BodyTooLarge } from '../gateway/body-limit.js';
import type { LaneReply, LaneRequest } from '../gateway/lane.js';
import { jwtKeys } from '../jwt/keys.js';
import { authenticate, type Identity } from './auth.js';
import { ApiError, schemaCacheNotLoaded, toApiError } from './errors.js';
import { execute } from './execute.js';
import { openApiDocument, VISIBLE_SQL } from './openapi.js';
import { parseRequest, type ApiRequest } from './parse.js';
import { plan } from './plan.js';
import { bodyTooLarge, errorResponse, openApiResponse, preflight, respond } from './response.js';
import type { SchemaCache } from './schema-cache.js';
import { timezoneCheck } from './timezones.js';

/**
 * One request through PostgREST's pipeline: authenticate → parse (ApiRequest) → plan → query
 * (one statement in one transaction as the request's role) → response. Any failure becomes
 * PostgREST's error body. This module only wires the stages together.
 */

export interface HandlerDeps {
  config: StackConfig;
  /** exposed schemas, the first being the default profile */
  schemas: string[];
  apiPool: pg.Pool;
  cache: () => SchemaCache | null;
}

const utf8 = new TextDecoder();

/** The request's headers as PostgREST hands them to SQL (`request.headers`): lowercase names, repeats joined. */
const headerObject = (raw: LaneRequest['rawHeaders']) => {
  const out: Record<string, string> = {};
  for (const name in raw) {
    const v = raw[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
};

export function createHandler(deps: HandlerDeps) {
  const keys = jwtKeys(deps.config);
  const checkTimezone = timezoneCheck(deps.apiPool);
  const { schemas, apiPool: pool } = deps;

  return async function handle(request: LaneRequest): Promise<LaneReply> {
    let identity: Identity | undefined;
    try {
      if (request.method === 'OPTIONS') return preflight(request.headers.get('access-control-request-headers'));
      // who is calling is settled before a byte of the body is read
      identity = await authenticate(request.headers, keys, 'anon');
      const bytes = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.body(deps.config.bodyLimits.rest);
      const body = bytes ? utf8.decode(bytes) : '';
      const query = new URLSearchParams(request.query);
      const req = parseRequest({ method: request.method, path: request.path, query, headers: request.headers, body, bytes }, schemas);
      const cache = deps.cache();
      if (!cache) throw schemaCacheNotLoaded();
      await checkTimezone(req);
      if (req.target.kind === 'root') return openApiResponse(req, await describe(deps, req, cache, identity, new URL(request.origin)), schemas.length);

      // db_max_rows and db_extra_search_path: the in-database configuration over config.toml's
      const maxRows = cache.db.maxRows;
      const searchPath = [req.schema, ...cache.db.extraSearchPath].map(ident).join(', ');
      const planned = plan(req, cache, maxRows);
      const scope: RequestIdentity = {
        role: identity.role, claims: identity.claims, method: req.method, path: request.path,
        headers: headerObject(request.rawHeaders),
        settings: req.prefer.timezone ? { search_path: searchPath, timezone: req.prefer.timezone } : { search_path: searchPath },
      };
      const result = await execute({ pool, cache, scope, maxRows }, req, planned);
      return respond(req, planned, result, schemas.length);
    } catch (err) {
      if (err instanceof BodyTooLarge) return bodyTooLarge();
      const apiErr = toApiError(err, identity?.authenticated ?? false);
      if (apiErr.status >= 500) console.error(err);
      return errorResponse(apiErr);
    }
  };
}

/** The OpenAPI document, describing only what the caller's role may use (PostgREST's follow-privileges mode). */
async function describe(deps: HandlerDeps, req: ApiRequest, cache: SchemaCache, who: Identity, url: URL): Promise<string> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'PGRST117', `Unsupported HTTP method: ${req.method}`);
  const visible = await withRequestScope(deps.apiPool, { role: who.role, claims: who.claims, method: req.method, path: '/' }, async (client) => {
    const { rows } = await client.query<{ kind: string; name: string }>(VISIBLE_SQL, [req.schema]);
    return {
      relations: new Set(rows.filter((r) => r.kind === 'r').map((r) => r.name)),
      routines: new Set(rows.filter((r) => r.kind === 'f').map((r) => r.name)),
    };
  }, { readOnly: true });
  return JSON.stringify(openApiDocument(cache, req.schema, url, deps.config, visible));
}
