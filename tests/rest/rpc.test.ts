import pg from 'pg';
import { beforeAll, describe, expect, test } from 'vitest';
import { stack } from '../support/env.js';
import { client, loadFixture, rest, unique } from './support.js';

// PostgREST functions: docs/references/api/functions.rst
beforeAll(loadFixture);
const db = () => client();

describe('calling functions', () => {
  test('rpc() POSTs named arguments and returns a scalar', async () => {
    const { data, error, status } = await db().rpc('add', { a: 2, b: 3 });
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toBe(5);
  });

  test('a stable function can be called by GET with arguments in the query string', async () => {
    const { data } = await db().rpc('hello', { name: 'Ada' }, { get: true });
    expect(data).toBe('Hello, Ada');
    const r = await rest('/rpc/add?a=1&b=41');
    expect(r.json).toBe(42);
  });

  test('arguments with defaults may be left out', async () => {
    expect((await db().rpc('hello')).data).toBe('Hello, world');
  });

  test('a set-returning function takes select, filters, order, limit and count like a table', async () => {
    const { data, count } = await db().rpc('projects_of', { client: 1 }, { count: 'exact' }).select('id,name').order('id', { ascending: false }).limit(1);
    expect(data).toEqual([{ id: 2, name: 'Windows 10' }]);
    expect(count).toBe(2);
    const filtered = await db().rpc('projects_of', { client: 2 }).eq('name', 'OSX');
    expect(filtered.data).toEqual([{ id: 4, name: 'OSX', client_id: 2 }]);
  });

  test('rows of a function returning a table type can embed related tables', async () => {
    const { data } = await db().rpc('projects_of', { client: 2 }).select('name,clients(name),tasks(name)').eq('id', 3);
    expect(data).toEqual([{ name: 'IOS', clients: { name: 'Apple' }, tasks: [{ name: 'Design IOS' }, { name: 'Code IOS' }] }]);
  });

  test('GET on a set-returning function filters with the remaining query parameters', async () => {
    const r = await rest('/rpc/projects_of?client=1&select=name&id=eq.1');
    expect(r.json).toEqual([{ name: 'Windows 7' }]);
  });

  test('a function returning TABLE(...) gives rows; one returning a single composite gives an object', async () => {
    expect((await db().rpc('project_summary', { pid: 3 })).data).toEqual([{ project: 'IOS', client: 'Apple' }]);
    expect((await db().rpc('first_project')).data).toEqual({ id: 1, name: 'Windows 7', client_id: 1 });
  });

  test('a set of scalars is a JSON array', async () => {
    expect((await db().rpc('numbers', { n: 3 })).data).toEqual([1, 2, 3]);
  });

  test('a set of scalars is filtered, ordered and counted by the function\'s name as its column', async () => {
    const { data, count } = await db().rpc('numbers', { n: 6 }, { count: 'exact' }).gt('numbers', 2).order('numbers', { ascending: false }).limit(2);
    expect(data).toEqual([6, 5]);
    expect(count).toBe(4);
    expect((await rest('/rpc/numbers?n=4&numbers=in.(1,3,9)')).json).toEqual([1, 3]);
    expect((await rest('/rpc/numbers?n=4&numbers=gt.2&select=x:numbers')).json).toEqual([3, 4]);
    const unknown = await rest('/rpc/numbers?n=4&other=eq.1');
    expect(unknown.status).toBe(400);
    expect(unknown.json.code).toBe('42703');
  });

  test('a function with a single unnamed json parameter receives the whole body', async () => {
    const { data } = await db().rpc('echo', { any: ['thing', 1] });
    expect(data).toEqual({ any: ['thing', 1] });
  });

  test('a text/plain, text/xml or application/octet-stream body goes whole to a single unnamed text, xml or bytea parameter', async () => {
    const text = await rest('/rpc/shout_text', { method: 'POST', body: 'héllo, world', headers: { 'Content-Type': 'text/plain' } });
    expect(text).toMatchObject({ status: 200, json: 'HÉLLO, WORLD' });
    const xml = await rest('/rpc/xml_root', { method: 'POST', body: '<note><to>Jane</to></note>', headers: { 'Content-Type': 'text/xml' } });
    expect(xml).toMatchObject({ status: 200, json: 'note' });
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const bin = await rest('/rpc/byte_sum', { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(bin).toMatchObject({ status: 200, json: 508 });
  });

  test('a raw body for a function without such a parameter is PGRST202, naming what was looked for', async () => {
    const r = await rest('/rpc/add', { method: 'POST', body: 'some text', headers: { 'Content-Type': 'text/plain' } });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      code: 'PGRST202', hint: null,
      message: 'Could not find the function rest_test.add in the schema cache',
      details: 'Searched for the function rest_test.add with a single unnamed text parameter, but no matches were found in the schema cache.',
    });
    const bin = await rest('/rpc/shout_text', { method: 'POST', body: new Uint8Array([1]), headers: { 'Content-Type': 'application/octet-stream' } });
    expect(bin.json.details).toBe('Searched for the function rest_test.shout_text with a single unnamed bytea parameter, but no matches were found in the schema cache.');
    const badXml = await rest('/rpc/xml_root', { method: 'POST', body: '<', headers: { 'Content-Type': 'text/xml' } });
    expect(badXml).toMatchObject({ status: 400, json: { code: '2200N', message: 'invalid XML content' } });
  });

  test('a raw body is refused on a table', async () => {
    const r = await rest('/notes', { method: 'POST', body: new Uint8Array([1]), headers: { 'Content-Type': 'application/octet-stream' } });
    expect(r).toMatchObject({ status: 415, json: { code: 'PGRST107' } });
  });

  test('Prefer: params=single-object passes the body to a single json/jsonb parameter', async () => {
    const r = await rest('/rpc/sum_of', { method: 'POST', body: JSON.stringify({ x: 2, y: 5 }), headers: { Prefer: 'params=single-object' } });
    expect(r.json).toBe(7);
  });

  test('overloads are resolved by argument names', async () => {
    expect((await db().rpc('over', { a: 1 })).data).toBe('one');
    expect((await db().rpc('over', { a: 1, b: 2 })).data).toBe('two');
  });

  test('a scalar function returning NULL answers the JSON null', async () => {
    const r = await rest('/rpc/nothing_at_all');
    expect(r).toMatchObject({ status: 200, text: 'null' });
  });

  test('a variadic parameter takes one or more repeated query values, or repeated form fields', async () => {
    expect((await rest('/rpc/total?v=4')).json).toBe(4);
    expect((await rest('/rpc/total?v=1&v=2&v=3')).json).toBe(6);
    const form = await rest('/rpc/total', { method: 'POST', body: 'v=1&v=2&v=3', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.json).toBe(6);
  });

  test('a repeated argument takes its last value; one spelled as a filter filters the result instead', async () => {
    expect((await rest('/rpc/hello?name=ignored&name=world')).json).toBe('Hello, world');
    const r = await rest('/rpc/projects_below?id=5&id=gt.2&select=id');
    expect(r.json).toEqual([{ id: 3 }, { id: 4 }]);
  });

  test('an array of argument objects calls the function once, with the first', async () => {
    const r = await rest('/rpc/add', { method: 'POST', body: JSON.stringify([{ a: 1, b: 2 }, { a: 4, b: 5 }]) });
    expect(r).toMatchObject({ status: 200, json: 3 });
  });

  test('trigger functions and functions with unnamed arguments cannot be called (PGRST202)', async () => {
    expect((await rest('/rpc/touch_trigger', { method: 'POST', body: '{}' })).json.code).toBe('PGRST202');
    expect((await rest('/rpc/unnamed_ints', { method: 'POST', body: '{}' })).json.code).toBe('PGRST202');
    const doc = (await rest('/', { headers: { Accept: 'application/openapi+json' } })).json;
    expect(Object.keys(doc.paths)).toContain('/rpc/add');
    expect(Object.keys(doc.paths)).not.toContain('/rpc/touch_trigger');
  });

  test('a function returning setof record gives its rows as objects', async () => {
    const r = await rest('/rpc/records');
    expect(r.status).toBe(200);
    expect(r.json[0]).toEqual({ id: 1, name: expect.any(String) });
  });

  test('Prefer: params=single-object also works by GET, and names what it looked for when nothing matches', async () => {
    const r = await rest('/rpc/sum_of?x=2&y=5', { headers: { Prefer: 'params=single-object' } });
    expect(r.json).toBe(7);
    const none = await rest('/rpc/add', { method: 'POST', body: '{"a":1}', headers: { Prefer: 'params=single-object' } });
    expect(none).toMatchObject({ status: 404, json: {
      code: 'PGRST202', hint: null, message: 'Could not find the function rest_test.add in the schema cache',
      details: 'Searched for the function rest_test.add with a single json/jsonb parameter, but no matches were found in the schema cache.',
    } });
  });

  test('a call refused by its singular check is rolled back, side effects (NOTIFY) included', async () => {
    const listener = new pg.Client({ connectionString: stack().dbUrl });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('listen rest_test_noisy');
    try {
      const refused = await rest('/rpc/noisy', { headers: { Accept: 'application/vnd.pgrst.object+json' } });
      expect(refused.status).toBe(406);
      expect((await rest('/rpc/noisy')).json).toEqual([1, 2]);
      await expect.poll(() => heard.length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      // only the accepted call's notification was committed
      expect(heard).toHaveLength(1);
    } finally {
      await listener.end();
    }
  });

  test('a void function answers 204', async () => {
    const { status, data, error } = await db().rpc('nothing');
    expect(error).toBeNull();
    expect(status).toBe(204);
    expect(data).toBeNull();
  });

  test('a volatile function writes by POST', async () => {
    const k = unique('bump');
    expect((await db().rpc('bump', { k })).data).toBe(1);
    expect((await db().rpc('bump', { k })).data).toBe(2);
  });

  test('a volatile function called by GET runs read-only and fails with 405 (25006)', async () => {
    const r = await rest(`/rpc/bump?k=${unique('ro')}`);
    expect(r.status).toBe(405);
    expect(r.json.code).toBe('25006');
  });

  test('an unknown function is a 404 PGRST202 naming the arguments', async () => {
    const r = await rest('/rpc/add', { method: 'POST', body: JSON.stringify({ x: 1 }) });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function rest_test.add(x) in the schema cache',
    });
    const missing = await rest('/rpc/ad', { method: 'POST', body: '{}' });
    expect(missing.json.hint).toBe('Perhaps you meant to call the function rest_test.add');
  });

  test('RAISE EXCEPTION is a 400 P0001 with message, details and hint', async () => {
    const { error, status } = await db().rpc('fail', { msg: 'nope' });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'P0001', message: 'nope', details: 'some detail', hint: 'a hint' });
  });

  test("RAISE SQLSTATE 'PGRST' sets the status, headers and body", async () => {
    const r = await rest('/rpc/fail_pgrst', { method: 'POST', body: '{}' });
    expect(r.status).toBe(402);
    expect(r.headers.get('x-powered-by')).toBe('Nerd Rage');
    expect(r.json).toEqual({ code: '123', message: 'Payment required', details: 'Quota exceeded', hint: 'Upgrade' });
  });

  test('response.headers and response.status set by a function shape the response', async () => {
    const r = await rest('/rpc/with_headers');
    expect(r.status).toBe(202);
    expect(r.headers.get('x-custom')).toBe('yes');
    expect(r.headers.get('cache-control')).toBe('no-cache');
  });

  test('PUT on a function is a 405 PGRST101', async () => {
    const r = await rest('/rpc/add', { method: 'PUT', body: '{}' });
    expect(r.status).toBe(405);
    expect(r.json.code).toBe('PGRST101');
  });
});
