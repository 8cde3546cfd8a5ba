import { describe, expect, test } from 'vitest';
import { ApiError } from '../../stack/rest/errors.js';
import { run } from '../../stack/rest/cursor.js';
import { PARTS, parseCondition, parseFilterParam, parseLogic, parseOrder, parseSelect, plainSelect, selectByGrammar } from '../../stack/rest/grammar.js';
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

  test('plain select lists, read in one pass, come out exactly as the grammar reads them; anything else is left to it', () => {
    const tokens = ['id', 'a', 'count', 'left', 'inner', 'leftover', 'posts', '1', '_x', ',', ',', '(', ')', '!', '!inner', '!left', '!fk', ':', '::', '*', '...', '-', ' ', '.', '"q"', '->', 'count()'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const outcome = (read: () => unknown) => {
      try {
        return read();
      } catch (err) {
        return err;
      }
    };
    let read = 0;
    for (let i = 0; i < 20000; i++) {
      let input = '';
      for (let n = 1 + Math.floor(random() * 10); n > 0; n--) input += tokens[Math.floor(random() * tokens.length)];
      const plain = plainSelect(input);
      if (plain === null) continue;
      read++;
      expect(plain, input).toEqual(outcome(() => selectByGrammar(input)));
    }
    // the one-pass reader took a good share of them (and the grammar all the others)
    expect(read).toBeGreaterThan(1000);
    expect(plainSelect('id,name:full_name,posts!fk!inner(id,...author(name)),*')).toEqual(selectByGrammar('id,name:full_name,posts!fk!inner(id,...author(name)),*'));
    for (const other of ['data->a', 'id::text', 'count()', 'posts.count()', '"q"', 'a, b', 'a,,b', 'clients(id', 'a!leftover(id)']) expect(plainSelect(other), other).toBeNull();
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

// PostgREST's own doctests of its parser (src/PostgREST/ApiRequest/QueryParams.hs, v13): each part
// of the grammar, by PostgREST's name, fails at the same line and column with the same Parsec
// messages (shown on one line, as PostgREST's error body shows them).
describe('QueryParams.hs doctests: where and how each part of the grammar fails', () => {
  const cases: Array<[keyof typeof PARTS, string, number, string]> = [
    ['pFieldForest', 'id,clients(name[])', 16, 'unexpected \'[\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input'],
    ['pFieldForest', 'data->>-78xy', 11, 'unexpected \'x\' expecting digit, "->", "::", ".", "," or end of input'],
    ['pFieldName', ':', 1, 'unexpected ":" expecting field name (* or [a..z0..9_$])'],
    ['pJsonPath', '->>-78xy', 7, 'unexpected \'x\' expecting digit, "->", "::", ".", "," or end of input'],
    ['pJsonPath', '->>--34', 5, 'unexpected "-" expecting digit'],
    ['pJsonPath', '->>-xy-4', 5, 'unexpected "x" expecting digit'],
    ['pRelationSelect', 'rel->jsonpath(*)', 6, "unexpected '>'"],
    ['pRelationSelect', 'rel->jsonpath!hint(*)', 6, "unexpected '>'"],
    ['pFieldSelect', 'name!hint', 5, 'unexpected \'!\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input'],
    ['pFieldSelect', '*!hint', 2, 'unexpected \'!\' expecting ")", "," or end of input'],
    ['pFieldSelect', 'name::', 7, 'unexpected end of input expecting letter or digit'],
    ['pSpreadRelationSelect', 'rel(*)', 1, 'unexpected "r" expecting "..."'],
    ['pSpreadRelationSelect', 'alias:...rel(*)', 1, 'unexpected "a" expecting "..."'],
    ['pSpreadRelationSelect', '...rel->jsonpath(*)', 9, "unexpected '>'"],
    ['pOpExpr', 'fts().value', 5, 'unexpected ")" expecting operator (eq, gt, ...)'],
    ['pOpExpr', 'eq().value', 4, 'unexpected ")" expecting operator (eq, gt, ...)'],
    ['pOpExpr', 'is().value', 3, 'unexpected "(" expecting operator (eq, gt, ...)'],
    ['pOpExpr', 'in().value', 3, 'unexpected "(" expecting operator (eq, gt, ...)'],
    ['pOrder', 'clients(name,id)', 8, 'unexpected \'(\' expecting letter, digit, "-", "->>", "->", delimiter (.), "," or end of input'],
    ['pOrder', 'id.ac', 4, 'unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"'],
    ['pOrder', 'id.descc', 8, 'unexpected \'c\' expecting delimiter (.), "," or end of input'],
    ['pOrder', 'id.nulsfist', 4, 'unexpected "n" expecting "asc", "desc", "nullsfirst" or "nullslast"'],
    ['pOrder', 'id.nullslasttt', 13, 'unexpected \'t\' expecting "," or end of input'],
    ['pOrder', 'id.smth34', 4, 'unexpected "s" expecting "asc", "desc", "nullsfirst" or "nullslast"'],
    ['pOrder', 'id.asc.nlsfst', 8, 'unexpected "l" expecting "nullsfirst" or "nullslast"'],
    ['pOrder', 'id.asc.nullslasttt', 17, 'unexpected \'t\' expecting "," or end of input'],
    ['pOrder', 'id.asc.smth34', 8, 'unexpected "s" expecting "nullsfirst" or "nullslast"'],
    ['pLogicTree', 'or()', 4, 'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)'],
    ['pLogicTree', 'or(id.in.1,2,id.eq.3)', 10, 'unexpected "1" expecting "("'],
    ['pLogicTree', 'or)(', 3, 'unexpected ")" expecting "("'],
    ['pLogicTree', 'and(ord(id.eq.1,id.eq.1),id.eq.2)', 7, 'unexpected "d" expecting "("'],
    ['pLogicTree', 'or(id.eq.1,not.xor(id.eq.2,id.eq.3))', 16, 'unexpected "x" expecting logic operator (and, or)'],
  ];
  test.each(cases)('%s on %j fails at column %i', (part, input, column, details) => {
    expect(run(PARTS[part] as never, input)).toEqual({ ok: false, line: 1, column, details });
  });

  test('the doctests that succeed: names keep dashes and inner spaces, quotes keep anything, an empty select is no item', () => {
    expect(run(PARTS.pFieldName, 'identifier-with-dashes')).toEqual({ ok: true, value: 'identifier-with-dashes' });
    expect(run(PARTS.pFieldName, ' no leading or trailing spaces ')).toEqual({ ok: true, value: 'no leading or trailing spaces' });
    expect(run(PARTS.pFieldName, '" leading and trailing spaces "')).toEqual({ ok: true, value: ' leading and trailing spaces ' });
    expect(run(PARTS.pFieldName, '":"')).toEqual({ ok: true, value: ':' });
    expect(run(PARTS.pJsonPath, '->0,other')).toEqual({ ok: true, value: [{ arrow: '->', key: '0' }] });
    expect(run(PARTS.pJsonPath, '->>!@#$%^&*_a')).toEqual({ ok: true, value: [{ arrow: '->>', key: '!@#$%^&*_a' }] });
    expect(run(PARTS.pFieldForest, '')).toEqual({ ok: true, value: [] });
    expect(parseSelect('alias:name->!@#$%^&*_a::cast')).toEqual([
      { kind: 'field', field: { name: 'name', json: [{ arrow: '->', key: '!@#$%^&*_a' }] }, alias: 'alias', cast: 'cast' },
    ]);
    expect(parseSelect('alias:rel!inner!hint(*)')).toEqual([
      { kind: 'embed', name: 'rel', alias: 'alias', hint: 'hint', join: 'inner', spread: false, select: [{ kind: 'star' }] },
    ]);
    expect(parseOrder('clients(json_col->!@#$%^&*_a).desc.nullsfirst')).toEqual([
      { relation: 'clients', field: { name: 'json_col', json: [{ arrow: '->', key: '!@#$%^&*_a' }] }, direction: 'desc', nulls: 'first' },
    ]);
  });

  test('what Parsec did not expect is quoted as Haskell shows it: control characters by name, others by code', () => {
    expect(error(() => parseFilterParam('id', '\u0000')).details).toBe('unexpected "\\NUL" expecting "not" or operator (eq, gt, ...)');
    expect(error(() => parseFilterParam('id', 'é')).details).toBe('unexpected "\\233" expecting "not" or operator (eq, gt, ...)');
    // the tab is blank space after the name, and moves the column to 9
    const e = error(() => parseOrder('id\t\n'));
    expect([e.message, e.details]).toEqual(['"failed to parse order (id\t\n)" (line 1, column 9)', 'unexpected \'\\n\' expecting delimiter (.), "," or end of input']);
  });

  test('pRequestFilter: the whole PGRST100 of a filter without an operator', () => {
    const e = error(() => parseFilterParam('a.b', 'noop.0'));
    expect([e.message, e.details]).toEqual(['"failed to parse filter (noop.0)" (line 1, column 1)', 'unexpected "o" expecting "not" or operator (eq, gt, ...)']);
    const v = error(() => parseFilterParam('id', 'val'));
    expect([v.message, v.details]).toEqual(['"failed to parse filter (val)" (line 1, column 1)', 'unexpected "v" expecting "not" or operator (eq, gt, ...)']);
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
