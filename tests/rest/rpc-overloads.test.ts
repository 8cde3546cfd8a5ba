import { beforeAll, describe, expect, test } from 'vitest';
import { client, loadFixture, rest } from './support.js';

// PostgREST's overload resolution (Plan.hs findProc; docs/references/api/functions.rst,
// "Overloaded functions", "Functions with a single unnamed parameter"; errors.rst PGRST202/203).
beforeAll(loadFixture);
const db = () => client();

describe('RPC overloads', () => {
  test('the overload is chosen by the argument names; a parameter with a default may be left out', async () => {
    expect((await db().rpc('pick', { a: 1 })).data).toBe('a');
    expect((await db().rpc('pick', { b: 1 })).data).toBe('b,c');
    expect((await db().rpc('pick', { b: 1, c: 2 })).data).toBe('b,c');
    expect((await db().rpc('pick', { a: 1 }, { get: true })).data).toBe('a');
    expect((await db().rpc('pick', { b: 1 }, { get: true })).data).toBe('b,c');
  });

  test('by POST, a body that fits no named overload goes whole to the single unnamed json parameter', async () => {
    const r = await rest('/rpc/pick', { method: 'POST', body: '{"z":1}' });
    expect(r).toMatchObject({ status: 200, json: 'json {"z":1}' });
    const arr = await rest('/rpc/pick', { method: 'POST', body: '[1,2]' });
    expect(arr).toMatchObject({ status: 200, json: 'json [1,2]' });
  });

  test('text/plain and application/octet-stream bodies go to the unnamed text and bytea overloads', async () => {
    const text = await rest('/rpc/pick', { method: 'POST', body: 'hello', headers: { 'Content-Type': 'text/plain' } });
    expect(text).toMatchObject({ status: 200, json: 'text hello' });
    const bytes = await rest('/rpc/pick', { method: 'POST', body: new Uint8Array([1, 2, 3]), headers: { 'Content-Type': 'application/octet-stream' } });
    expect(bytes).toMatchObject({ status: 200, json: 'bytea 3' });
  });

  test('a media type no unnamed overload takes is PGRST202 without a hint', async () => {
    const r = await rest('/rpc/pick', { method: 'POST', body: '<a/>', headers: { 'Content-Type': 'text/xml' } });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      code: 'PGRST202', hint: null,
      message: 'Could not find the function rest_test.pick in the schema cache',
      details: 'Searched for the function rest_test.pick with a single unnamed xml parameter, but no matches were found in the schema cache.',
    });
  });

  test('a function without parameters is called by an empty body, and a non-object body goes to its unnamed jsonb overload', async () => {
    expect((await rest('/rpc/no_args', { method: 'POST', body: '{}' })).json).toBe('none');
    expect((await rest('/rpc/no_args')).json).toBe('none');
    expect((await rest('/rpc/no_args', { method: 'POST', body: '{"k": 1}' })).json).toBe('jsonb {"k": 1}');
  });

  test('more than one fitting overload is a 300 PGRST203 listing them, with PostgREST\'s hint', async () => {
    const r = await rest('/rpc/clash', { method: 'POST', body: '{"x":"1"}' });
    expect(r.status).toBe(300);
    expect(r.json.code).toBe('PGRST203');
    expect(r.json.details).toBeNull();
    expect(r.json.hint).toBe('Try renaming the parameters or the function itself in the database so function overloading can be resolved');
    expect(r.json.message).toMatch(/^Could not choose the best candidate function between: rest_test\.clash\(x => (integer|text)\), rest_test\.clash\(x => (integer|text)\)$/);
    expect(r.json.message).toContain('x => integer');
    expect(r.json.message).toContain('x => text');
    // optional parameters fit no arguments as a function without parameters does
    expect((await rest('/rpc/optional_only')).json.code).toBe('PGRST203');
    expect((await rest('/rpc/optional_only?p=5')).json).toBe(7);
  });

  test('PGRST202 names the arguments in order and hints at the closest parameter list (PostgREST\'s noRpcHint examples)', async () => {
    const cases: Array<[string[], string | null]> = [
      [['vall', 'pqaram', 'nam'], 'Perhaps you meant to call the function rest_test.hinted(name, param, val)'],
      [['val', 'param'], 'Perhaps you meant to call the function rest_test.hinted(name, param, val)'],
      [['id', 'attrs'], 'Perhaps you meant to call the function rest_test.hinted(attr, id)'],
      [['id'], 'Perhaps you meant to call the function rest_test.hinted(attr, id)'],
      [['noclosealternative'], null],
    ];
    for (const [keys, hint] of cases) {
      const body = JSON.stringify(Object.fromEntries(keys.map((k) => [k, 1])));
      const r = await rest('/rpc/hinted', { method: 'POST', body });
      const sorted = [...keys].sort();
      expect(r.status).toBe(404);
      expect(r.json).toEqual({
        code: 'PGRST202', hint,
        message: `Could not find the function rest_test.hinted(${sorted.join(', ')}) in the schema cache`,
        details: `Searched for the function rest_test.hinted with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      });
    }
  });

  test('by GET, a plain value no overload takes leaves no function; the details do not offer the json fallback', async () => {
    const r = await rest('/rpc/hinted?nope=1');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({
      code: 'PGRST202', message: 'Could not find the function rest_test.hinted(nope) in the schema cache',
      details: 'Searched for the function rest_test.hinted with parameter nope, but no matches were found in the schema cache.',
    });
    const none = await rest('/rpc/hinted');
    expect(none.json).toMatchObject({
      message: 'Could not find the function rest_test.hinted without parameters in the schema cache',
      details: 'Searched for the function rest_test.hinted without parameters, but no matches were found in the schema cache.',
    });
  });

  test('an unknown function name is hinted with the closest function of the schema (similarity 0.75 or more)', async () => {
    expect((await rest('/rpc/pickk', { method: 'POST', body: '{}' })).json.hint).toBe('Perhaps you meant to call the function rest_test.pick');
    expect((await rest('/rpc/zzzzzz', { method: 'POST', body: '{}' })).json.hint).toBeNull();
  });
});
