import { describe, expect, test } from 'vitest';
import { ApiError } from '../../stack/rest/errors.js';
import { parseCondition, parseLogic, parseOrder, parseSelect } from '../../stack/rest/grammar.js';
import { parseCsv, parseRequest } from '../../stack/rest/parse.js';

// PostgREST's URL grammar (docs/references/api/url_grammar.rst), parsed without a database.
const req = (path: string, query = '', headers: Record<string, string> = {}, method = 'GET', body = '') =>
  parseRequest({ method, path, query: new URLSearchParams(query), headers: new Headers(headers), body }, ['public', 'api']);

const error = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
};

describe('select grammar', () => {
  test('columns, aliases, casts and JSON paths', () => {
    expect(parseSelect('id,full:name::text,data->a->>b')).toEqual([
      { kind: 'field', field: { name: 'id', json: [] }, alias: undefined, cast: undefined },
      { kind: 'field', field: { name: 'name', json: [] }, alias: 'full', cast: 'text' },
      { kind: 'field', field: { name: 'data', json: [{ arrow: '->', key: 'a' }, { arrow: '->>', key: 'b' }] }, alias: undefined, cast: undefined },
    ]);
  });

  test('embeds with alias, hint, join type and spread', () => {
    const [e] = parseSelect('owner:users!fk_owner!inner(id,name)');
    expect(e).toMatchObject({ kind: 'embed', name: 'users', alias: 'owner', hint: 'fk_owner', join: 'inner', spread: false });
    expect(parseSelect('...clients(name)')[0]).toMatchObject({ kind: 'embed', spread: true, name: 'clients' });
    expect(parseSelect('clients()')[0]).toMatchObject({ kind: 'embed', select: [] });
  });

  test('quoted identifiers keep spaces and commas', () => {
    expect(parseSelect('"my col","a,b"')).toMatchObject([{ field: { name: 'my col' } }, { field: { name: 'a,b' } }]);
  });

  test('absurdly deep nesting is a PGRST100, not a stack overflow', () => {
    expect(error(() => parseSelect(`${'a('.repeat(5000)}id${')'.repeat(5000)}`)).code).toBe('PGRST100');
    expect(error(() => parseLogic('or', false, `(${'and('.repeat(5000)}a.eq.1${')'.repeat(5001)}`)).code).toBe('PGRST100');
  });

  test('malformed selects are PGRST100', () => {
    expect(error(() => parseSelect('id,,name')).code).toBe('PGRST100');
    expect(error(() => parseSelect('clients(id')).code).toBe('PGRST100');
  });
});

describe('filter grammar', () => {
  test('operators, negation, quantifiers and fts languages', () => {
    expect(parseCondition('eq.5')).toEqual({ negated: false, op: 'eq', value: '5' });
    expect(parseCondition('not.in.(1,"a,b",3)')).toEqual({ negated: true, op: 'in', value: ['1', 'a,b', '3'] });
    expect(parseCondition('like(any).{a*,b*}')).toMatchObject({ op: 'like', quantifier: 'any', value: ['a*', 'b*'] });
    expect(parseCondition('fts(english).cat')).toMatchObject({ op: 'fts', language: 'english', value: 'cat' });
    expect(parseCondition('eq."quoted.value"')).toMatchObject({ value: 'quoted.value' });
  });

  test('unknown operators and bad is values are PGRST100', () => {
    expect(error(() => parseCondition('foo.1')).code).toBe('PGRST100');
    expect(error(() => parseCondition('is.maybe')).code).toBe('PGRST100');
    expect(error(() => parseCondition('eq')).code).toBe('PGRST100');
  });

  test('logic trees nest and negate', () => {
    const tree = parseLogic('or', false, '(a.eq.1,and(b.gt.2,c.not.is.null),not.or(d.eq.x,e.in.(1,2)))');
    expect(tree).toMatchObject({
      kind: 'expr', op: 'or', children: [
        { kind: 'filter', filter: { field: { name: 'a' }, cond: { op: 'eq', value: '1' } } },
        { kind: 'expr', op: 'and', children: [{ kind: 'filter' }, { kind: 'filter', filter: { cond: { negated: true, op: 'is' } } }] },
        { kind: 'expr', op: 'or', negated: true },
      ],
    });
    expect(parseLogic('or', false, '(clients.name.eq.x,id.eq.1)')).toMatchObject({ children: [{ path: ['clients'], filter: { field: { name: 'name' } } }, { path: [] }] });
  });
});

describe('order grammar', () => {
  test('direction, nulls, JSON paths and related columns', () => {
    expect(parseOrder('a.desc.nullslast,b,data->>x.asc,clients(name).desc')).toEqual([
      { field: { name: 'a', json: [] }, direction: 'desc', nulls: 'last', relation: undefined },
      { field: { name: 'b', json: [] }, relation: undefined },
      { field: { name: 'data', json: [{ arrow: '->>', key: 'x' }] }, direction: 'asc', relation: undefined },
      { field: { name: 'name', json: [] }, direction: 'desc', relation: 'clients' },
    ]);
    expect(error(() => parseOrder('a.sideways')).code).toBe('PGRST100');
  });
});

describe('requests', () => {
  test('paths: table, rpc, root; deeper paths are PGRST125', () => {
    expect(req('/todos').target).toEqual({ kind: 'relation', name: 'todos' });
    expect(req('/rpc/fn').target).toEqual({ kind: 'rpc', name: 'fn' });
    expect(req('/').target).toEqual({ kind: 'root' });
    expect(error(() => req('/a/b/c')).code).toBe('PGRST125');
  });

  test('profiles pick the schema; unknown ones are PGRST106', () => {
    expect(req('/t').schema).toBe('public');
    expect(req('/t', '', { 'Accept-Profile': 'api' }).schema).toBe('api');
    expect(req('/t', '', { 'Content-Profile': 'api' }, 'POST', '{}').schema).toBe('api');
    expect(error(() => req('/t', '', { 'Accept-Profile': 'secret' })).status).toBe(406);
  });

  test('Prefer is parsed; invalid preferences fail only with handling=strict', () => {
    const r = req('/t', '', { Prefer: 'return=representation, count=exact,bogus=1' }, 'POST', '{}');
    expect(r.prefer).toMatchObject({ return: 'representation', count: 'exact' });
    expect(error(() => req('/t', '', { Prefer: 'handling=strict, bogus=1' })).code).toBe('PGRST122');
  });

  test('Accept picks the representation; unsupported types are PGRST107', () => {
    expect(req('/t', '', { Accept: 'text/csv' }).accept).toBe('csv');
    expect(req('/t', '', { Accept: 'application/vnd.pgrst.object+json;nulls=stripped' })).toMatchObject({ accept: 'object', stripNulls: true });
    expect(error(() => req('/t', '', { Accept: 'image/png' })).code).toBe('PGRST107');
  });

  test('embedded modifiers are keyed by their path', () => {
    const r = req('/t', 'select=*,c(*)&c.order=id.desc&c.limit=2&c.offset=1&c.name=eq.x&c.or=(a.eq.1)&limit=5');
    expect(r.order.get('c')).toHaveLength(1);
    expect(r.ranges.get('c')).toEqual({ offset: 1, limit: 2 });
    expect(r.ranges.get('')).toEqual({ offset: 0, limit: 5 });
    expect(r.filters[0].path).toEqual(['c']);
    expect(r.logic[0].path).toEqual(['c']);
  });

  test('the Range header and bad JSON bodies', () => {
    expect(req('/t', '', { Range: '10-19' }).headerRange).toEqual({ offset: 10, limit: 10 });
    expect(error(() => req('/t', '', { Range: '9-1' })).code).toBe('PGRST103');
    expect(error(() => req('/t', '', {}, 'POST', '{oops')).code).toBe('PGRST102');
    expect(error(() => req('/t', '', { 'Content-Type': 'application/xml' }, 'POST', '<a/>')).status).toBe(415);
  });

  test('unsupported methods are PGRST117', () => {
    expect(error(() => req('/t', '', {}, 'TRACE')).code).toBe('PGRST117');
  });

  test('CSV bodies become rows; unquoted NULL is null', () => {
    expect(parseCsv('a,b\n1,"x,y"\n2,NULL\n')).toEqual([{ a: '1', b: 'x,y' }, { a: '2', b: null }]);
  });
});
