import { describe, expect, test } from 'vitest';
import { parseRequest } from '../../stack/rest/parse.js';
import { plan } from '../../stack/rest/plan.js';
import { callStatement, mutateStatement, readStatement } from '../../stack/rest/query.js';
import { fixtureSchemaCache } from './schema-cache-fixture.js';

// The planner against a schema cache built from the fixture's saved catalog (no database), and
// the one statement it builds: identifiers come from the cache and are quoted, values only ever
// travel as parameters.
const cache = fixtureSchemaCache();

const build = (method: string, path: string, query: string, body = '', headers: Record<string, string> = {}) => {
  const req = parseRequest({ method, path, query: new URLSearchParams(query), headers: new Headers({ 'Accept-Profile': 'rest_test', 'Content-Profile': 'rest_test', ...headers }), body }, ['public', 'rest_test']);
  const p = plan(req, cache, 1000);
  if (p.kind === 'read') return readStatement(cache, p, { count: req.prefer.count === 'exact', accept: req.accept, stripNulls: false });
  if (p.kind === 'call') return callStatement(cache, p, req, false);
  return mutateStatement(cache, p, req, { representation: true, count: false });
};

describe('schema cache', () => {
  test('knows tables, views, keys, relationships and functions', () => {
    expect(cache.relations.get('rest_test.projects')!.pk).toEqual(['id']);
    expect(cache.relations.get('rest_test.projects_v')!.kind).toBe('view');
    expect(cache.relations.get('rest_test.projects_v')!.pk).toEqual(['id']); // inferred through the view
    const rels = cache.relationships.get('rest_test.users')!.map((r) => `${r.cardinality}:${r.foreign.name}`);
    expect(rels).toEqual(expect.arrayContaining(['o2m:users_tasks', 'm2m:tasks', 'o2m:messages']));
    expect(cache.routines.get('rest_test.over')).toHaveLength(2);
    expect(cache.computed.get('rest_test.projects')!.has('label')).toBe(true);
  });
});

describe('statements', () => {
  const hostile = "x'); drop table rest_test.clients; --";

  test('filter values are bind parameters, never SQL text', () => {
    const st = build('GET', '/clients', `name=eq.${encodeURIComponent(hostile)}&id=in.(1,2)`);
    expect(st.text).not.toContain('drop table');
    expect(st.values).toEqual([hostile, '{"1","2"}']);
    expect(st.text).toContain('FROM "rest_test"."clients" AS "pgrst_0"');
  });

  test('JSON keys in paths are quoted literals', () => {
    const st = build('GET', '/items', `select=data->>${encodeURIComponent("a'b")}`);
    expect(st.text).toContain(`"pgrst_0"."data"->>'a''b' AS "a'b"`);
  });

  test('an embed is a lateral subquery aggregated with json_agg, all in one statement', () => {
    const st = build('GET', '/clients', 'select=id,projects(id,tasks(id))&projects.limit=1');
    expect(st.text.match(/LEFT JOIN LATERAL/g)).toHaveLength(2);
    expect(st.text).toContain('json_agg');
    expect(st.text).toContain('LIMIT 1');
    expect(st.text.split(';')).toHaveLength(1);
  });

  test('a count=exact read adds the count of the unpaged query', () => {
    const st = build('GET', '/items', 'limit=1', '', { Prefer: 'count=exact' });
    expect(st.text).toContain('SELECT pg_catalog.count(*) FROM "rest_test"."items"');
    expect(st.text).toContain('LIMIT 1');
  });

  test('an insert reads its rows from the JSON payload parameter', () => {
    const body = JSON.stringify({ title: hostile });
    const st = build('POST', '/notes', 'select=title', body);
    expect(st.text).toContain('INSERT INTO "rest_test"."notes" ("title") SELECT "title" FROM json_populate_recordset(NULL::"rest_test"."notes"');
    expect(st.values).toEqual([body]);
  });

  test('function arguments are converted by json_to_record from one parameter', () => {
    const st = build('POST', '/rpc/add', '', '{"a":1,"b":2}');
    expect(st.text).toContain('json_to_record($1::json) AS _a("a" integer, "b" integer)');
    expect(st.text).toContain('"rest_test"."add"("a" := (SELECT _a."a" FROM pgrst_args AS _a), "b" := (SELECT _a."b" FROM pgrst_args AS _a))');
  });
});
