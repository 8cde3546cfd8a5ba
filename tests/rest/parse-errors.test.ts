import { beforeAll, describe, expect, test } from 'vitest';
import { client, loadFixture, rest } from './support.js';

// PGRST100 as PostgREST's query-string parser words it (QueryParams.hs; the bodies are those of
// its own specs and doc examples): the failing parameter, then the line and column of the failure.
beforeAll(loadFixture);

describe('PGRST100 parse errors', () => {
  test('an unknown filter operator fails at column 1, after trying "not" (QueryParams.hs doctests)', async () => {
    const zero = await rest('/projects?id=0');
    expect(zero.status).toBe(400);
    expect(zero.json).toEqual({
      code: 'PGRST100', hint: null,
      details: 'unexpected "0" expecting "not" or operator (eq, gt, ...)',
      message: '"failed to parse filter (0)" (line 1, column 1)',
    });
    expect((await rest('/projects?id=noop.0')).json).toMatchObject({
      details: 'unexpected "o" expecting "not" or operator (eq, gt, ...)',
      message: '"failed to parse filter (noop.0)" (line 1, column 1)',
    });
    expect((await rest('/projects?name=val')).json).toMatchObject({
      details: 'unexpected "v" expecting "not" or operator (eq, gt, ...)',
      message: '"failed to parse filter (val)" (line 1, column 1)',
    });
  });

  test('after "not." the operator is looked for at column 5', async () => {
    const r = await rest('/projects?id=not.zz.1');
    expect(r.json).toMatchObject({ code: 'PGRST100', message: '"failed to parse filter (not.zz.1)" (line 1, column 5)' });
  });

  test('an order modifier with trailing letters fails where "," or the end was due', async () => {
    const r = await rest('/projects?order=id.asc.nullslasttt');
    expect(r.json).toEqual({
      code: 'PGRST100', hint: null,
      details: 'unexpected \'t\' expecting "," or end of input',
      message: '"failed to parse order (id.asc.nullslasttt)" (line 1, column 17)',
    });
  });

  test('an empty columns parameter fails at column 1', async () => {
    const r = await rest('/projects?columns=', { method: 'POST', body: '{}' });
    expect(r.json).toEqual({
      code: 'PGRST100', hint: null,
      details: 'unexpected end of input expecting field name (* or [a..z0..9_$])',
      message: '"failed to parse columns parameter ()" (line 1, column 1)',
    });
  });

  test('an empty or() fails right after its parenthesis, at column 4', async () => {
    const r = await rest('/projects?or=()');
    expect(r.json).toMatchObject({ code: 'PGRST100', message: '"failed to parse logic tree (())" (line 1, column 4)' });
  });

  test('supabase-js surfaces the same error object', async () => {
    const { error } = await client().from('projects').select('id').filter('id', 'zz' as never, '1');
    expect(error).toMatchObject({ code: 'PGRST100', message: '"failed to parse filter (zz.1)" (line 1, column 1)' });
  });
});

describe('PGRST100 in select JSON paths', () => {
  test('a JSON key that is not one fails at its column, as in PostgREST\'s JsonOperatorSpec', async () => {
    const paren = await rest(`/items?select=${encodeURIComponent('data->(!@#$%^&*_d->>!@#$%^&*_e::integer')}`);
    expect(paren.json).toEqual({
      code: 'PGRST100', hint: null,
      details: 'unexpected "(" expecting "-", digit or any non reserved character different from: .,>()',
      message: '"failed to parse select parameter (data->(!@#$%^&*_d->>!@#$%^&*_e::integer)" (line 1, column 7)',
    });
    const dashes = await rest('/items?select=data->>--34');
    expect(dashes.json).toEqual({
      code: 'PGRST100', hint: null,
      details: 'unexpected "-" expecting digit',
      message: '"failed to parse select parameter (data->>--34)" (line 1, column 9)',
    });
  });
});
