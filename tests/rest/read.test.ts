import { beforeAll, describe, expect, test } from 'vitest';
import { client, loadFixture, rest } from './support.js';

// PostgREST reads: docs/references/api/tables_views.rst, resource_representation.rst, pagination_count.rst
beforeAll(loadFixture);
const db = () => client();

describe('select', () => {
  test('select=* returns every column of every row (anon, granted table)', async () => {
    const { data, error, status } = await db().from('clients').select('*').order('id');
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([{ id: 1, name: 'Microsoft' }, { id: 2, name: 'Apple' }]);
  });

  test('columns can be renamed with alias:column and cast with ::type', async () => {
    const { data } = await db().from('items').select('ident:id,price::text,qty').eq('id', 1);
    expect(data).toEqual([{ ident: 1, price: '1.50', qty: 10 }]);
  });

  test('JSON paths -> and ->> select nested values named after the last key', async () => {
    const { data } = await db().from('items').select('id,data->color,data->size->>w,first:data->arr->0').eq('id', 1);
    expect(data).toEqual([{ id: 1, color: 'red', w: '3', first: 1 }]);
  });

  test('a computed column (function taking the row) is selectable like a column', async () => {
    const { data } = await db().from('projects').select('id,label').eq('id', 3);
    expect(data).toEqual([{ id: 3, label: 'IOS #3' }]);
  });

  test('an unknown column is a 400 with 42703', async () => {
    const r = await rest('/clients?select=nope');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: '42703', message: 'column clients.nope does not exist' });
  });

  test('an unknown table is a 404 PGRST205 with a hint', async () => {
    const r = await rest('/client');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      code: 'PGRST205', details: null, hint: "Perhaps you meant the table 'rest_test.clients'",
      message: "Could not find the table 'rest_test.client' in the schema cache",
    });
  });

  test('a malformed select is a 400 PGRST100', async () => {
    const r = await rest('/clients?select=id,,name');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PGRST100');
  });

  test('aggregates are disabled as on Supabase (PGRST123)', async () => {
    const r = await rest('/items?select=price.sum()');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PGRST123');
  });
});

describe('filters', () => {
  const ids = (rows: Array<{ id: number }> | null) => (rows ?? []).map((r) => r.id).sort((a, b) => a - b);
  const q = () => db().from('items').select('id');

  test('eq, neq, gt, gte, lt, lte compare values', async () => {
    expect(ids((await q().eq('name', 'apple')).data)).toEqual([1]);
    expect(ids((await q().neq('name', 'apple')).data)).toEqual([2, 3, 4, 5]);
    expect(ids((await q().gt('price', 1.5)).data)).toEqual([4, 5]);
    expect(ids((await q().gte('price', 1.5)).data)).toEqual([1, 4, 5]);
    expect(ids((await q().lt('price', 0.8)).data)).toEqual([2]);
    expect(ids((await q().lte('price', 0.8)).data)).toEqual([2, 3]);
  });

  test('like on a column without a LIKE operator (an integer) is an error, as PostgREST does not cast', async () => {
    const r = await rest('/items?select=id&id=like.1*');
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('42883');
  });

  test('like and ilike use * as the wildcard', async () => {
    expect(ids((await q().like('name', '*an*')).data)).toEqual([2, 4, 5]);
    expect(ids((await q().like('name', 'b*a')).data)).toEqual([2]);
    expect(ids((await q().ilike('name', 'd*')).data)).toEqual([4]);
    expect(ids((await q().like('name', 'd*')).data)).toEqual([]);
  });

  test('match and imatch are POSIX regular expressions', async () => {
    expect(ids((await q().filter('name', 'match', '^[ab]')).data)).toEqual([1, 2]);
    expect(ids((await q().filter('name', 'imatch', '^d')).data)).toEqual([4]);
  });

  test('in takes a list, with quoted values containing commas', async () => {
    expect(ids((await q().in('id', [1, 3, 99])).data)).toEqual([1, 3]);
    expect(ids((await q().in('name', ['apple', 'eggplant "special"'])).data)).toEqual([1, 5]);
    const r = await rest('/items?select=id&name=in.("apple","x,y")');
    expect(r.json).toEqual([{ id: 1 }]);
  });

  test('is null / not_null / true / false / unknown', async () => {
    expect(ids((await q().is('qty', null)).data)).toEqual([2]);
    expect(ids((await q().not('qty', 'is', null)).data)).toEqual([1, 3, 4, 5]);
    expect(ids((await q().is('active', true)).data)).toEqual([1, 2, 5]);
    expect(ids((await q().is('active', false)).data)).toEqual([3]);
    expect((await rest('/items?select=id&active=is.unknown')).json).toEqual([{ id: 4 }]);
    expect((await rest('/items?select=id&qty=is.not_null&order=id&limit=1')).json).toEqual([{ id: 1 }]);
  });

  test('isdistinct treats null as a value', async () => {
    expect(ids((await rest('/items?select=id&active=isdistinct.true')).json)).toEqual([3, 4]);
  });

  test('not. negates any operator', async () => {
    expect(ids((await q().not('name', 'in', '(apple,banana)')).data)).toEqual([3, 4, 5]);
    expect(ids((await q().not('name', 'like', '*a*')).data)).toEqual([]);
  });

  test('full-text search on a text column converts it with the same language (PostgREST 13): "simple" keeps stop words', async () => {
    // english drops "a" from the query; simple keeps it, and every description but one starts with "A"
    expect(ids((await rest('/items?select=id&description=fts(simple).a&order=id')).json)).toEqual([1, 2, 5]);
    expect(ids((await rest('/items?select=id&data=fts(simple).purple')).json)).toEqual([5]);
  });

  test('a JSON path into an array column reads its JSON form', async () => {
    const r = await rest('/items?select=id,tags->0&id=in.(1,3)&order=id');
    expect(r.json).toEqual([{ id: 1, tags: 'fruit' }, { id: 3, tags: 'vegetable' }]);
    expect(ids((await rest('/items?select=id&tags->>1=eq.red')).json)).toEqual([1]);
  });

  test('full-text search: fts, plfts, phfts, wfts, with a language', async () => {
    expect(ids((await q().textSearch('description', 'fruit & red')).data)).toEqual([1]);
    expect(ids((await q().textSearch('description', 'yellow fruit', { type: 'plain', config: 'english' })).data)).toEqual([2]);
    expect(ids((await q().textSearch('description', 'orange root', { type: 'phrase', config: 'english' })).data)).toEqual([3]);
    expect(ids((await q().textSearch('description', 'vegetable -orange', { type: 'websearch' })).data)).toEqual([5]);
    expect(ids((await rest('/items?select=id&description=not.fts(english).fruit')).json)).toEqual([3, 5]);
  });

  test('array operators: cs, cd, ov', async () => {
    expect(ids((await q().contains('tags', ['fruit', 'red'])).data)).toEqual([1]);
    expect(ids((await q().containedBy('tags', ['fruit', 'red', 'yellow'])).data)).toEqual([1, 2, 4, 5]);
    expect(ids((await q().overlaps('tags', ['red', 'vegetable'])).data)).toEqual([1, 3]);
  });

  test('jsonb containment with cs', async () => {
    expect(ids((await q().contains('data', { color: 'red' })).data)).toEqual([1]);
  });

  test('range operators: sl, sr, nxr, nxl, adj, ov', async () => {
    expect(ids((await q().rangeLt('period', '[6,9)')).data)).toEqual([1]);
    expect(ids((await q().rangeGt('period', '[6,9)')).data)).toEqual([3, 5]);
    expect(ids((await q().rangeLte('period', '[1,5)')).data)).toEqual([1]);
    expect(ids((await q().rangeGte('period', '[10,11)')).data)).toEqual([3, 5]);
    expect(ids((await q().rangeAdjacent('period', '[20,25)')).data)).toEqual([3]);
    expect(ids((await q().overlaps('period', '[4,11)')).data)).toEqual([1, 2, 3]);
  });

  test('any/all modifiers apply an operator to a list', async () => {
    expect(ids((await q().likeAnyOf('name', ['a*', 'b*'])).data)).toEqual([1, 2]);
    expect(ids((await q().ilikeAllOf('name', ['*a*', '*n*'])).data)).toEqual([2, 4, 5]);
    expect(ids((await rest('/items?select=id&id=eq(any).{1,3}')).json)).toEqual([1, 3]);
    expect(ids((await rest('/items?select=id&id=gt(all).{1,3}')).json)).toEqual([4, 5]);
  });

  test('or=(...) and and=(...) combine filters, nested and negated', async () => {
    expect(ids((await q().or('id.eq.1,name.eq.carrot')).data)).toEqual([1, 3]);
    expect(ids((await q().or('and(price.gt.1,active.is.true),id.eq.2')).data)).toEqual([1, 2, 5]);
    expect(ids((await rest('/items?select=id&not.or=(id.eq.1,id.eq.2)')).json)).toEqual([3, 4, 5]);
    expect(ids((await rest('/items?select=id&and=(id.gt.1,or(name.eq.banana,name.eq.Durian))')).json)).toEqual([2, 4]);
  });

  test('filters on JSON paths', async () => {
    expect(ids((await q().eq('data->>color', 'yellow')).data)).toEqual([2]);
    expect(ids((await q().gt('data->size->w', 4)).data)).toEqual([2]);
  });

  test('match() is shorthand for several eq filters', async () => {
    expect(ids((await q().match({ name: 'apple', active: true })).data)).toEqual([1]);
  });

  test('filter() passes a raw operator', async () => {
    expect(ids((await q().filter('name', 'in', '("banana","carrot")')).data)).toEqual([2, 3]);
  });

  test('an unknown operator is a 400 PGRST100', async () => {
    const r = await rest('/items?id=foo.1');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PGRST100');
    expect(r.json.message).toContain('failed to parse filter');
  });

  test('a value of the wrong type is a 400 with the SQLSTATE (22P02)', async () => {
    const r = await rest('/items?id=eq.abc');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: '22P02' });
  });
});

describe('order, limit, offset, range', () => {
  test('order by several keys with direction and nulls placement', async () => {
    const { data } = await db().from('items').select('id,qty').order('qty', { ascending: false, nullsFirst: true }).order('id');
    expect(data!.map((r) => r.id)).toEqual([2, 3, 1, 4, 5]);
    const r = await rest('/items?select=id&order=qty.asc.nullslast');
    expect(r.json.map((x: { id: number }) => x.id)).toEqual([5, 4, 1, 3, 2]);
  });

  test('order by a JSON path', async () => {
    const r = await rest('/items?select=id&data=not.is.null&order=data->>color.desc');
    expect(r.json.map((x: { id: number }) => x.id)).toEqual([2, 1, 5, 3]);
  });

  test('limit and offset page the rows; Content-Range tells which', async () => {
    const r = await rest('/items?select=id&order=id&limit=2&offset=1');
    expect(r.json).toEqual([{ id: 2 }, { id: 3 }]);
    expect(r.headers.get('content-range')).toBe('1-2/*');
  });

  test('range() sets offset and limit', async () => {
    const { data } = await db().from('items').select('id').order('id').range(2, 3);
    expect(data).toEqual([{ id: 3 }, { id: 4 }]);
  });

  test('the Range header pages like limit/offset', async () => {
    const r = await rest('/items?select=id&order=id', { headers: { Range: '1-2', 'Range-Unit': 'items' } });
    expect(r.json).toEqual([{ id: 2 }, { id: 3 }]);
    expect(r.headers.get('content-range')).toBe('1-2/*');
  });

  test('an empty result has Content-Range */*', async () => {
    const r = await rest('/items?id=eq.999');
    expect(r.status).toBe(200);
    expect(r.json).toEqual([]);
    expect(r.headers.get('content-range')).toBe('*/*');
  });

  test('a negative limit is a 416 PGRST103', async () => {
    const r = await rest('/items?limit=-1');
    expect(r.status).toBe(416);
    expect(r.json.code).toBe('PGRST103');
  });

  test('a Range whose lower bound exceeds the upper is a 416', async () => {
    const r = await rest('/items', { headers: { Range: '5-2' } });
    expect(r.status).toBe(416);
  });
});

describe('PostgREST 12/13 leniencies', () => {
  test('a negative offset is no offset, and a limit that is not a number is no limit', async () => {
    expect((await rest('/items?select=id&order=id&offset=-1')).json).toHaveLength(5);
    expect((await rest('/items?select=id&order=id&limit=abc')).json).toHaveLength(5);
  });

  test('a top-level filter value is taken as written: double quotes are part of it (they quote only in lists and or=)', async () => {
    expect((await rest('/odd?select=id&label=eq."quoted"')).json).toEqual([{ id: 1 }]);
    expect((await rest('/odd?select=id&label=in.("quoted")')).json).toEqual([{ id: 2 }]);
    expect((await rest('/odd?select=id&or=(label.eq."quoted")')).json).toEqual([{ id: 2 }]);
    expect((await db().from('odd').select('id').eq('label', '"quoted"')).data).toEqual([{ id: 1 }]);
  });

  test('a column name may contain spaces, unquoted', async () => {
    const r = await rest(`/odd?select=id,${encodeURIComponent('unit price')}&${encodeURIComponent('unit price')}=gt.5`);
    expect(r.json).toEqual([{ id: 2, 'unit price': 9 }]);
  });

  test('a JSON path is named after its last key, array indexes aside', async () => {
    const r = await rest('/odd?select=doc->arr->0,doc->arr->>1&id=eq.1');
    expect(r.status).toBe(200);
    expect(Object.keys(r.json[0])).toEqual(['arr']);
    expect((await rest('/odd?select=doc->arr->0&id=eq.1')).json).toEqual([{ arr: 10 }]);
  });
});

describe('counting', () => {
  test("count: 'exact' gives the total in Content-Range and 206 for a partial page", async () => {
    const r = await rest('/items?select=id&limit=2', { headers: { Prefer: 'count=exact' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('0-1/5');
    const { count, data } = await db().from('items').select('id', { count: 'exact' }).order('id').limit(2);
    expect(count).toBe(5);
    expect(data).toHaveLength(2);
  });

  test('count with head: true returns no body', async () => {
    const { count, data, status } = await db().from('items').select('*', { count: 'exact', head: true }).eq('active', true);
    expect(count).toBe(3);
    expect(data).toBeNull();
    expect(status).toBe(200);
  });

  test('a planned count is the planner\'s estimate of the matching rows; estimated counts exactly only below max-rows', async () => {
    const planned = await db().from('many').select('id', { count: 'planned', head: true });
    expect(planned.count).toBe(3000);
    const filtered = await db().from('many').select('id', { count: 'planned', head: true }).lt('id', 1500);
    expect(filtered.count).toBeGreaterThan(1200);
    expect(filtered.count).toBeLessThan(1800);
    // over max-rows (1000) the estimate is used; under it, the exact count
    const big = await rest('/many?select=id&limit=1', { headers: { Prefer: 'count=estimated' } });
    expect(big.headers.get('content-range')).toBe('0-0/3000');
    const small = await db().from('many').select('id', { count: 'estimated', head: true }).lt('id', 11);
    expect(small.count).toBe(10);
    expect((await db().from('items').select('id', { count: 'estimated' })).count).toBe(5);
  });

  test('an offset past the end of a counted result is a 416 with PGRST103', async () => {
    const r = await rest('/items?offset=10', { headers: { Prefer: 'count=exact' } });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe('*/5');
    expect(r.json).toMatchObject({ code: 'PGRST103', details: 'An offset of 10 was requested, but there are only 5 rows.' });
  });
});

describe('representations', () => {
  test('single() asks for application/vnd.pgrst.object+json and gets one object', async () => {
    const { data, error } = await db().from('clients').select('name').eq('id', 1).single();
    expect(error).toBeNull();
    expect(data).toEqual({ name: 'Microsoft' });
  });

  test('single() with several rows is a 406 PGRST116', async () => {
    const { error, status } = await db().from('clients').select('name').single();
    expect(status).toBe(406);
    expect(error).toMatchObject({ code: 'PGRST116', details: 'The result contains 2 rows' });
    const r = await rest('/clients?id=eq.99', { headers: { Accept: 'application/vnd.pgrst.object+json' } });
    expect(r.status).toBe(406);
    expect(r.json).toEqual({ code: 'PGRST116', details: 'The result contains 0 rows', hint: null, message: 'Cannot coerce the result to a single JSON object' });
  });

  test('maybeSingle() gives null for no rows', async () => {
    const { data, error } = await db().from('clients').select('name').eq('id', 99).maybeSingle();
    expect(error).toBeNull();
    expect(data).toBeNull();
  });

  test('csv() gives text/csv with a header line', async () => {
    const { data } = await db().from('clients').select('id,name').order('id').csv();
    expect(data).toBe('id,name\n1,Microsoft\n2,Apple');
    const r = await rest('/items?select=id,name&id=eq.5', { headers: { Accept: 'text/csv' } });
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.text).toBe('id,name\n5,"eggplant ""special"""');
  });

  test('HEAD answers headers without a body', async () => {
    const r = await rest('/clients', { method: 'HEAD', headers: { Prefer: 'count=exact' } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(r.headers.get('content-range')).toBe('0-1/2');
  });

  test('stripNulls() removes null fields', async () => {
    const { data } = await db().from('items').select('id,qty').eq('id', 2).stripNulls();
    expect(data).toEqual([{ id: 2 }]);
  });

  test('an unavailable media type is a 406 PGRST107', async () => {
    const r = await rest('/clients', { headers: { Accept: 'application/xml' } });
    expect(r.status).toBe(406);
    expect(r.json).toMatchObject({ code: 'PGRST107', message: 'None of these media types are available: application/xml' });
  });

  test('responses are application/json with charset', async () => {
    const r = await rest('/clients');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  test('abortSignal() cancels the request on the client', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const { error } = await db().from('clients').select('*').abortSignal(ctl.signal);
    expect(error).not.toBeNull();
    // the server is unaffected
    expect((await db().from('clients').select('id')).data).toHaveLength(2);
  });
});

describe('schemas (profiles)', () => {
  test('Accept-Profile selects an exposed schema; an unexposed one is a 406 PGRST106', async () => {
    const r = await rest('/clients', { headers: { 'Accept-Profile': 'auth' } });
    expect(r.status).toBe(406);
    expect(r.json.code).toBe('PGRST106');
    expect(r.json.message).toBe('Invalid schema: auth');
    expect(r.json.hint).toContain('Only the following schemas are exposed: public');
  });

  test('without a profile the first exposed schema (public) is used', async () => {
    const r = await rest('/clients', { headers: { 'Accept-Profile': 'public' } });
    expect(r.status).toBe(404);
    expect(r.json.message).toBe("Could not find the table 'public.clients' in the schema cache");
  });
});
