import { beforeAll, expect, test } from 'vitest';
import { stack } from '../support/env.js';
import { seeded } from '../support/fuzz.js';
import { AGGREGATE_GRAMMAR, selectGrammarFailures } from './select-grammar.js';
import { adminDb, client, loadFixture } from './support.js';

// Hostile input: whatever arrives, /rest/v1 answers 2xx/3xx/4xx with PostgREST's JSON error body,
// keeps serving, and a rejected write leaves nothing behind.
beforeAll(loadFixture);
const db = adminDb();

const SEED = Number(process.env.REST_FUZZ_SEED ?? 20261126);
const { rand, pick, maybe } = seeded(SEED);

const TABLES = ['orders', 'customers', 'replies', 'posts', 'reply_view', 'clients', 'projects', 'tasks', 'users', 'items', 'notes', 'kv', 'owned', 'projects_v', 'nope', 'rpc/add', 'rpc/projects_of', 'rpc/echo', 'rpc/bump', 'rpc/fail', 'rpc/nope', '', 'a/b/c', 'rpc/', 'rpc/add/x', '%E0%A4%A', 'rpc/%ZZ',
  // overloads, unnamed parameters and defaults
  'rpc/pick', 'rpc/clash', 'rpc/no_args', 'rpc/hinted', 'rpc/optional_only', 'defaults', 'defaults_view', 'always_ids'];
const COLUMNS = ['id', 'name', 'price', 'tags', 'data', 'data->a', 'data->>color', 'period', 'client_id', 'title', 'key', 'nope', '"weird col"', 'clients.name', 'projects.id', 'a.b.c', '', '*', 'id->0', 'label'];
const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'in', 'is', 'isdistinct', 'fts', 'plfts', 'phfts', 'wfts', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'not.eq', 'eq(any)', 'like(all)', 'fts(english)', 'fts(nope)', 'bogus', 'in(any)', ''];
const VALUES = ["1", "-1", "abc", "(1,2,3)", "(\"a,b\",c)", "{1,2}", "{a,\"b\"}", "[1,5)", "null", "not_null", "true", "unknown", "'; drop table rest_test.clients; --", "\\", "\"", "%", "*", "(", ")", "{", "}", "9".repeat(40), "1e309", "\u0000", "\u00e9\u{1F600}", "a.b.c", "", "$1", "0x1F", "((((((", "NaN", "2024-13-45"];
const SELECTS = ['*', 'id,name', 'id,clients(*)', 'name,projects(name,tasks(name))', '...clients(name)', 'x:id::text', 'data->a->>b', 'id,,', '(', ')', 'clients!inner(*)', 'clients!nope(*)', 'users(*)', 'count()', 'id.sum()', 'projects!left(id', '"', 'a:b:c', 'id::bad type', 'tasks(*,users(*))', '*,label', '', ...AGGREGATE_GRAMMAR,
  // where PostgREST's parser fails part-way: unbalanced, trailing commas, empty names, bad aliases, casts, hints, spreads, paths
  'id,clients(name', 'id,', 'id,,name', 'alias:', 'id::', 'clients!(id)', 'total:id.sum(', 'id.median()', 'count(', '...clients!inner', 'id,clients(id))',
  'data->>-78xy', 'data->>--34', 'data->(x', 'name!hint', '*!hint', 'id;name', 'id,\t,', '"a\nb"x', '...alias:clients(name)', 'clients!inner!left!x(id)', 'clients(id,projects(', 'x:"', '"\u0000"', 'data->"a\u0000"'];
const ORDERS = ['id', 'id.desc', 'name.asc.nullsfirst', 'clients(name)', 'projects(id)', 'id.sideways', 'data->>x.desc', 'nope', ',', '.', 'id.asc.nullslasttt', 'id..desc', 'id.', 'id.descx',
  'id.desc.', 'id,', 'clients(name', 'clients(name,id)', 'id.ac', 'id.asc.nlsfst', 'data->>-1x', ':x', '"\u0000"'];
const LOGIC = ['(id.eq.1,id.eq.2)', '(id.eq.1', '(and(id.gt.1,id.lt.3),name.like.*a*)', '()', '(clients.name.eq.x)', '(nope.eq.1)',
  '(id.eq.1,)', '(id.zz.1)', '(and(id.eq.1,id.zz.2))', '(id.in.1,2)', ')(', '(ord(id.eq.1))', '(not.xor(id.eq.1))', '(name.eq."a,b",id.in.("x)"))', '(id.eq(any).{1,2})', '(name.eq)', 'id.eq.1', '(', '(id.in.(1,2)'];
const HEADERS: Array<[string, string[]]> = [
  ['Prefer', ['count=exact', 'count=planned', 'count=estimated', 'return=representation', 'return=minimal', 'return=headers-only', 'resolution=merge-duplicates', 'handling=strict, bogus', 'max-affected=0, handling=strict', 'tx=rollback', 'params=single-object', 'missing=default', 'timezone=Mars/Olympus', '=', ',,,',
    'missing=default', 'missing=default, return=representation', 'handling=strict, missing=nope', 'tx=commit, tx=rollback', 'return==x', 'max-affected=-1', 'count']],
  ['Accept', ['application/json', 'text/csv', 'application/vnd.pgrst.object+json', 'application/vnd.pgrst.array+json;nulls=stripped', 'image/png', '*/*', ';;;', 'application/openapi+json', 'text/csv;q=0.1, application/json',
    'application/vnd.pgrst.plan', 'application/vnd.pgrst.plan+json; options=analyze|wal', 'application/vnd.pgrst.plan; for="text/xml"',
    'application/vnd.pgrst.plan+json; for="', 'application/vnd.pgrst.plan+text; options=|||', 'application/vnd.pgrst.plan; for="application/vnd.pgrst.object+json"']],
  ['Range', ['0-1', '5-2', '-', 'items=0-9', '10-', 'abc', '999999999999999999999-1']],
  ['Authorization', ['Bearer', 'Bearer x.y.z', `Bearer ${'a'.repeat(500)}`, 'Basic Zm9vOmJhcg==', 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.']],
  ['Accept-Profile', ['rest_test', 'public', 'auth', 'pg_catalog', '']],
  ['Content-Profile', ['rest_test', 'public', 'storage']],
  ['Content-Type', ['application/json', 'text/csv', 'application/x-www-form-urlencoded', 'application/xml', 'text/plain', 'text/xml', 'application/octet-stream', '']],
];
const BODIES = ['{}', '[]', '{"title":"MARK"}', '[{"title":"MARK"},{"title":"MARK","body":1}]', '{"key":"MARK","value":{"deep":[1,2]}}', '{"title":"MARK","status":"invalid"}', '{"title":"MARK","nope":1}', '{"id":"not a number","title":"MARK"}', 'null', '"str"', '42', '{"a":', '[[[[[[[[[[]]]]]]]]]]', 'title\nMARK', '{"title":"MARK","client_id":99999}', '{"k":"MARK"}', '{"a":1,"b":"x"}', '\u0000', `{"title":"${'x'.repeat(20000)}"}`];

const PARSE_FAILURE = /^"failed to parse (select parameter|filter|order|logic tree|columns parameter|on_conflict parameter|tree path|logic path) \(.*\)" \(line \d+, column \d+\)$/s;

function randomQuery(): string {
  const parts: string[] = [];
  const n = Math.floor(rand() * 5);
  if (maybe(0.6)) parts.push(`select=${encodeURIComponent(pick(SELECTS))}`);
  for (let i = 0; i < n; i++) {
    const col = pick(COLUMNS);
    const op = pick(OPS);
    parts.push(`${encodeURIComponent(col)}=${encodeURIComponent(`${op}${op ? '.' : ''}${pick(VALUES)}`)}`);
  }
  if (maybe(0.3)) parts.push(`order=${encodeURIComponent(pick(ORDERS))}`);
  if (maybe(0.2)) parts.push(`limit=${encodeURIComponent(pick(['1', '0', '-5', 'x', '1e3', '99999999999999999999']))}`);
  if (maybe(0.2)) parts.push(`offset=${encodeURIComponent(pick(['1', '-1', 'y', '1000000']))}`);
  if (maybe(0.2)) parts.push(`${pick(['or', 'and', 'not.or', 'projects.or', 'clients.not.and', 'a..or', encodeURIComponent(':.and')])}=${encodeURIComponent(pick(LOGIC))}`);
  if (maybe(0.1)) parts.push(`${pick(['projects', 'clients', 'tasks', encodeURIComponent(':x'), encodeURIComponent('"a')])}.order=${encodeURIComponent(pick(ORDERS))}`);
  if (maybe(0.1)) parts.push(`on_conflict=${encodeURIComponent(pick(['id', 'title', 'nope', '', ',id', 'id,', 'a b', '"x']))}`);
  if (maybe(0.1)) parts.push(`columns=${encodeURIComponent(pick(['title', 'title,body', 'nope', '', '"a"', 'name,size,note', 'twice', 'id,label', 'id,,name', 'id,', ':']))}`);
  if (maybe(0.1)) parts.push(`${encodeURIComponent(pick(['a', 'k', 'client', 'n', 'x', 'b', 'c', 'p', 'q', 'val', 'id']))}=${encodeURIComponent(pick(VALUES))}`);
  return parts.join('&');
}

test('random and hostile requests get 2xx/3xx/4xx answers in PostgREST\'s format, and rejected writes leave nothing', async () => {
  const info = stack();
  const rejectedMarks: string[] = [];
  const failures: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const mark = `fuzz-${SEED}-${i}`;
    const method = pick(['GET', 'GET', 'HEAD', 'POST', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'PROPFIND']);
    const path = pick(TABLES);
    const query = randomQuery();
    const headers: Record<string, string> = { apikey: info.anonKey };
    if (maybe(0.8)) headers[method === 'GET' || method === 'HEAD' ? 'Accept-Profile' : 'Content-Profile'] = 'rest_test';
    for (const [name, values] of HEADERS) if (maybe(0.25)) headers[name] = pick(values);
    if (maybe(0.15)) headers.Authorization = `Bearer ${info.serviceRoleKey}`;
    const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    const body = hasBody ? pick(BODIES).replace(/MARK/g, mark) : undefined;
    const url = `${info.apiUrl}/rest/v1/${path}${query ? `?${query}` : ''}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body });
    } catch (err) {
      failures.push(`${method} ${url}: transport error ${(err as Error).message}`);
      continue;
    }
    const text = await res.text();
    const label = `${method} ${url} ${JSON.stringify(headers)} ${body?.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`;
    if (res.status >= 500) failures.push(label);
    if (res.status >= 400 && method !== 'HEAD') {
      try {
        const err = JSON.parse(text);
        if (typeof err.code !== 'string' || typeof err.message !== 'string' || !('details' in err) || !('hint' in err)) failures.push(`bad error body: ${label}`);
        // a query-string parse failure says where, as PostgREST's parser does (NUL in a name is ours to refuse)
        if (err.code === 'PGRST100' && !PARSE_FAILURE.test(err.message) && err.details !== 'unexpected NUL character') failures.push(`PGRST100 without a position: ${label}`);
      } catch {
        failures.push(`non-JSON error: ${label}`);
      }
      if (hasBody && body?.includes(mark)) rejectedMarks.push(mark);
    }
  }
  if (failures.length) console.log(failures.join("\n"));
  expect(failures).toEqual([]);

  // nothing a rejected request carried was written
  const { rows } = await db().query(
    `select title as mark from rest_test.notes where title = any($1) union all select key from rest_test.kv where key = any($1)`,
    [rejectedMarks]);
  expect(rows).toEqual([]);
  // the fixture's read-only tables are untouched and the server still answers
  const { data } = await client().from('clients').select('id,name').order('id');
  expect(data).toEqual([{ id: 1, name: 'Microsoft' }, { id: 2, name: 'Apple' }]);
}, 120_000);

test('the aggregate, spread, hint and computed-relationship grammar never answers 5xx, on any fixture table', async () => {
  expect(await selectGrammarFailures()).toEqual([]);
}, 120_000);
