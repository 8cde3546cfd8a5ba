import type pg from 'pg';
import { queryInRequestScope, withRequestScope, type RequestIdentity } from '../db/request-scope.js';
import { maxAffectedRpcViolation, maxAffectedViolation, putMatchingPk, singularityError } from './errors.js';
import type { ApiRequest, ExplainRequest } from './parse.js';
import type { Plan } from './plan.js';
import { ident } from '../db/sql.js';
import { callStatement, mutateStatement, plannedCountStatement, readStatement, type Statement } from './query.js';
import { gucOverrides, type QueryResult, type ResultRow } from './response.js';
import type { SchemaCache } from './schema-cache.js';

/**
 * Runs a plan (PostgREST's Query stage): its statement in the transaction the plan shaped, as
 * the request's role, with the checks that undo the transaction when they fail.
 */

export interface QueryContext {
  pool: pg.Pool;
  cache: SchemaCache;
  scope: RequestIdentity;
  maxRows: number | null;
}

export async function execute(ctx: QueryContext, req: ApiRequest, p: Plan): Promise<QueryResult> {
  const { cache, scope, pool } = ctx;
  if (req.explain) return explain(ctx, req, p, req.explain);
  const exactCount = req.prefer.count === 'exact';
  if (p.tx.oneStatement) {
    const rows = await queryInRequestScope<ResultRow>(pool, scope, statement(cache, req, p, exactCount), { readOnly: p.tx.readOnly });
    return outcome(req, p, rows[0], null, exactCount);
  }
  return withRequestScope(pool, scope, async (client) => {
    await preRequest(client, cache);
    let planned: number | null = null;
    let exact = exactCount;
    if (p.tx.estimate) {
      if (p.kind === 'read') {
        const st = plannedCountStatement(cache, p.root);
        const { rows } = await client.query(st.text, st.values);
        planned = Math.round(rows[0]['QUERY PLAN'][0].Plan['Plan Rows']);
        // an estimate under the row cap is worth counting exactly, as PostgREST does
        if (req.prefer.count === 'estimated' && planned <= (ctx.maxRows ?? 1000)) exact = true;
      } else exact = true;
    }
    const { rows } = await client.query<ResultRow>(statement(cache, req, p, exact));
    return outcome(req, p, rows[0], planned, exact);
  }, { readOnly: p.tx.readOnly, rollback: p.tx.rollback });
}

/**
 * The plan of the statement the request would run, in its transaction (pre-request included): an
 * ANALYZE runs it, so a write is committed unless the transaction ends in a rollback, as with
 * PostgREST's EXPLAIN.
 */
async function explain(ctx: QueryContext, req: ApiRequest, p: Plan, e: ExplainRequest): Promise<QueryResult> {
  const { cache, scope, pool } = ctx;
  const options = [`FORMAT ${e.format.toUpperCase()}`, ...e.options.map((o) => o.toUpperCase())].join(', ');
  const plan = await withRequestScope(pool, scope, async (client) => {
    await preRequest(client, cache);
    const st = statement(cache, req, p, req.prefer.count === 'exact');
    const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (${options}) ${st.text}`, st.values);
    // text: one row per line; json: one row holding the document
    return e.format === 'json' ? `${JSON.stringify(rows[0]['QUERY PLAN'])}\n` : rows.map((r) => `${r['QUERY PLAN']}\n`).join('');
  }, { readOnly: p.tx.readOnly, rollback: p.tx.rollback });
  return { row: EMPTY_ROW, pageTotal: 0, total: null, overrides: NO_OVERRIDES, plan };
}

const EMPTY_ROW: ResultRow = { total_result_set: null, page_total: 0, body: null, response_headers: null, response_status: null };
const NO_OVERRIDES: QueryResult['overrides'] = { headers: [], status: null };

/** db_pre_request, called first in the request's transaction. */
async function preRequest(client: pg.PoolClient, cache: SchemaCache): Promise<void> {
  if (cache.db.preRequest) await client.query(`select ${cache.db.preRequest.split('.').map(ident).join('.')}()`);
}

function statement(cache: SchemaCache, req: ApiRequest, p: Plan, exact: boolean): Statement {
  if (p.kind === 'read') return readStatement(cache, p, { count: exact, accept: req.accept, stripNulls: req.stripNulls });
  if (p.kind === 'call') return callStatement(cache, p, req, exact || req.prefer.count !== undefined);
  return mutateStatement(cache, p, req, { representation: req.prefer.return === 'representation', count: exact });
}

/** The result row read, with PostgREST's checks that fail (and so roll back) the request. */
function outcome(req: ApiRequest, p: Plan, row: ResultRow, planned: number | null, exact: boolean): QueryResult {
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
}
