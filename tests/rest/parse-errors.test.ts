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

  test('an empty or() fails right after its parenthesis, at column 4 (AndOrParamsSpec: cannot have zero conditions)', async () => {
    const r = await rest('/projects?or=()');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      code: 'PGRST100', hint: null,
      details: 'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)',
      message: '"failed to parse logic tree (())" (line 1, column 4)',
    });
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

// The rest of the query-string grammar, read as QueryParams.hs reads it: Parsec reports the
// furthest place any alternative reached and everything that could have come there.
const body = (message: string, details: string) => ({ code: 'PGRST100', hint: null, message, details });

describe('PGRST100 in select', () => {
  const cases: Array<[string, string, string, string]> = [
    ['an unclosed embed fails at the end, where ")" was due', '/projects?select=id,clients(name',
      '"failed to parse select parameter (id,clients(name)" (line 1, column 16)', 'unexpected end of input expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input'],
    ['a trailing comma fails at the end, where an item was due', '/projects?select=id,',
      '"failed to parse select parameter (id,)" (line 1, column 4)', 'unexpected end of input expecting "...", field name (* or [a..z0..9_$]), "*" or "count()"'],
    ['an empty name between commas fails at the second comma', '/projects?select=id,,name',
      '"failed to parse select parameter (id,,name)" (line 1, column 4)', 'unexpected "," expecting "...", field name (* or [a..z0..9_$]), "*" or "count()"'],
    ['an alias without its field', '/projects?select=alias:',
      '"failed to parse select parameter (alias:)" (line 1, column 7)', 'unexpected end of input expecting ":" or field name (* or [a..z0..9_$])'],
    ['a cast without its type', '/projects?select=id::',
      '"failed to parse select parameter (id::)" (line 1, column 5)', 'unexpected end of input expecting letter or digit'],
    ['an empty hint: the "!" is where the field could not go on', '/projects?select=clients!(id)',
      '"failed to parse select parameter (clients!(id))" (line 1, column 8)', 'unexpected \'!\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input'],
    ['an aggregate call left open', '/items?select=total:price.sum(',
      '"failed to parse select parameter (total:price.sum()" (line 1, column 16)', 'unexpected end of input expecting "()"'],
    ['an aggregate PostgREST does not know', '/items?select=price.median()',
      '"failed to parse select parameter (price.median())" (line 1, column 7)', 'unexpected "m" expecting "sum", "avg", "count", "max" or "min"'],
    ['count( is neither the aggregate nor an embed (no relation is named count)', '/projects?select=count(',
      '"failed to parse select parameter (count()" (line 1, column 6)', 'unexpected \'(\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input'],
    ['a tab moves the column to the next multiple of 8, as Parsec counts', '/projects?select=id,%09%2C',
      '"failed to parse select parameter (id,\t,)" (line 1, column 9)', 'unexpected "," expecting "...", field name (* or [a..z0..9_$]), "*" or "count()"'],
    ['a newline inside a quoted name moves the failure to line 2', '/projects?select=%22a%0Ab%22x',
      '"failed to parse select parameter ("a\nb"x)" (line 2, column 3)', 'unexpected \'x\' expecting "->>", "->", "::", ".", ")", "," or end of input'],
  ];
  test.each(cases)('%s', async (_name, url, message, details) => {
    const r = await rest(url);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(body(message, details));
  });

  test('a select is read only as far as it parses, as PostgREST\'s parser does not ask for the end of input', async () => {
    const r = await rest('/projects?select=id,name)x&id=eq.1');
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ id: 1, name: 'Windows 7' }]);
  });
});

describe('PGRST100 in and/or trees', () => {
  test('blank space around terms, parentheses and list items is allowed (AndOrParamsSpec: allows whitespace)', async () => {
    const r = await rest(`/projects?select=id&and=${encodeURIComponent('( and ( id.in.( 1, 2, 3 ) , id.eq.3 ) , or ( id.eq.2 , id.eq.3 ) )')}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ id: 3 }]);
  });

  const cases: Array<[string, string, string, string]> = [
    ['an unclosed or( fails at the end', '/projects?or=(id.eq.1',
      '"failed to parse logic tree ((id.eq.1)" (line 1, column 11)', 'unexpected end of input expecting "," or ")"'],
    ['a trailing comma fails at the closing parenthesis', '/projects?and=(id.eq.1,)',
      '"failed to parse logic tree ((id.eq.1,))" (line 1, column 13)', 'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)'],
    ['not.or counts its columns after "not.or"', '/projects?not.or=(id.zz.1)',
      '"failed to parse logic tree ((id.zz.1))" (line 1, column 11)', 'unexpected "z" expecting "not" or operator (eq, gt, ...)'],
    ['a bad operator inside a nested and()', '/projects?or=(and(id.eq.1,id.zz.2))',
      '"failed to parse logic tree ((and(id.eq.1,id.zz.2)))" (line 1, column 19)', 'unexpected "z" expecting "not" or operator (eq, gt, ...)'],
    ['an in list without parentheses (QueryParams.hs doctest)', '/projects?or=(id.in.1,2)',
      '"failed to parse logic tree ((id.in.1,2))" (line 1, column 10)', 'unexpected "1" expecting "("'],
    ['an embedded or= on its resource', '/clients?select=id,projects(id)&projects.or=(name.xx.1)',
      '"failed to parse logic tree ((name.xx.1))" (line 1, column 9)', 'unexpected "x" expecting "not" or operator (eq, gt, ...)'],
    ['an embedded not.and= with an operator and no value', '/clients?select=id,projects(id)&projects.not.and=(id.eq.1,name.eq)',
      '"failed to parse logic tree ((id.eq.1,name.eq))" (line 1, column 24)', 'unexpected ")" expecting operator (eq, gt, ...)'],
  ];
  test.each(cases)('%s', async (_name, url, message, details) => {
    const r = await rest(url);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(body(message, details));
  });
});

describe('PGRST100 in order, filters, columns and on_conflict', () => {
  const cases: Array<[string, string, string, string, string?]> = [
    ['a dot after the direction must start a nulls order', '/projects?order=id.desc.',
      '"failed to parse order (id.desc.)" (line 1, column 9)', 'unexpected end of input expecting "nullsfirst" or "nullslast"'],
    ['an embedded order= on its resource', '/clients?select=id,projects(id)&projects.order=name.x',
      '"failed to parse order (name.x)" (line 1, column 6)', 'unexpected "x" expecting "asc", "desc", "nullsfirst" or "nullslast"'],
    ['a trailing comma in order', '/projects?order=id,',
      '"failed to parse order (id,)" (line 1, column 4)', 'unexpected end of input expecting field name (* or [a..z0..9_$])'],
    ['an unclosed in list', '/projects?id=in.(1,2',
      '"failed to parse filter (in.(1,2)" (line 1, column 8)', 'unexpected end of input expecting "," or ")"'],
    ['an in list without parentheses', '/projects?id=in.1,2',
      '"failed to parse filter (in.1,2)" (line 1, column 4)', 'unexpected "1" expecting "("'],
    ['an is value that is none of PostgREST\'s', '/projects?id=is.maybe',
      '"failed to parse filter (is.maybe)" (line 1, column 4)', 'unexpected "m" expecting isVal: (null, not_null, true, false, unknown)'],
    ['not. without an operator', '/projects?id=not.',
      '"failed to parse filter (not.)" (line 1, column 5)', 'unexpected end of input expecting operator (eq, gt, ...)'],
    ['a text search language left open', '/projects?name=fts(english.x',
      '"failed to parse filter (fts(english.x)" (line 1, column 12)', 'unexpected "." expecting operator (eq, gt, ...)'],
    ['a filter key that is no column name', '/projects?:x=eq.1',
      '"failed to parse tree path (:x)" (line 1, column 1)', 'unexpected ":" expecting field name (* or [a..z0..9_$])'],
    ['an order key is read as a tree path first', '/projects?:x.order=id',
      '"failed to parse tree path (:x.order)" (line 1, column 1)', 'unexpected ":" expecting field name (* or [a..z0..9_$])'],
    ['an and/or key is read as a logic path first', '/projects?a..or=(id.eq.1)',
      '"failed to parse logic path (a..or)" (line 1, column 3)', 'unexpected "." expecting field name (* or [a..z0..9_$])'],
    ['a quoted name left open in a key: Parsec wanted an escape or the closing quote', '/projects?%22a.order=id',
      '"failed to parse tree path ("a.order)" (line 1, column 9)', 'unexpected end of input expecting "\\\\" or "\\""'],
    ['on_conflict starting with a comma', '/projects?on_conflict=,id',
      '"failed to parse on_conflict parameter (,id)" (line 1, column 1)', 'unexpected "," expecting field name (* or [a..z0..9_$])', 'POST'],
    ['columns with an empty name', '/projects?columns=id,,name',
      '"failed to parse columns parameter (id,,name)" (line 1, column 4)', 'unexpected "," expecting field name (* or [a..z0..9_$])', 'POST'],
  ];
  test.each(cases)('%s', async (_name, url, message, details, method = 'GET') => {
    const r = await rest(url, method === 'POST' ? { method, body: '{"id":99}' } : {});
    expect(r.status).toBe(400);
    expect(r.json).toEqual(body(message, details));
  });

  test('with several bad parameters, the first in PostgREST\'s order is reported: order, and/or, columns, select, filters, on_conflict', async () => {
    expect((await rest('/projects?id=zz&select=id,,x&or=(&order=id.x')).json).toMatchObject({ message: '"failed to parse order (id.x)" (line 1, column 4)' });
    expect((await rest('/projects?id=zz&select=id,,x&or=(')).json).toMatchObject({ message: '"failed to parse logic tree (()" (line 1, column 4)' });
    expect((await rest('/projects?id=zz&select=id,,x')).json).toMatchObject({ message: '"failed to parse select parameter (id,,x)" (line 1, column 4)' });
  });

  test('an any/all value that is no {...} list is left to Postgres, as PostgREST leaves it (22P02)', async () => {
    const r = await rest('/projects?id=eq(any).7');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: '22P02', message: 'malformed array literal: "7"' });
  });
});
