import { beforeAll, describe, expect, test } from 'vitest';
import { client, loadFixture, rest, unique } from './support.js';

// PostgREST writes: docs/references/api/tables_views.rst (insert/update/upsert/delete), preferences.rst
beforeAll(loadFixture);
const db = () => client();

describe('insert', () => {
  test('insert without select() answers 201 with no body (return=minimal is the default)', async () => {
    const title = unique('n');
    const { data, error, status } = await db().from('notes').insert({ title });
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toBeNull();
    expect((await db().from('notes').select('title,status').eq('title', title)).data).toEqual([{ title, status: 'draft' }]);
  });

  test('insert().select() returns the rows through the select grammar, embeds included', async () => {
    const title = unique('n');
    const { data, status } = await db().from('notes').insert({ title, client_id: 2 }).select('title,rank,clients(name)');
    expect(status).toBe(201);
    expect(data).toEqual([{ title, rank: 0, clients: { name: 'Apple' } }]);
  });

  test('computed columns work on the returned rows of a write', async () => {
    const title = unique('shout');
    const { data, error } = await db().from('notes').insert({ title }).select('title,shout').single();
    expect(error).toBeNull();
    expect(data).toEqual({ title, shout: title.toUpperCase() });
  });

  test('bulk insert of an array with different keys uses columns= and fills the rest with null', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const { data, error } = await db().from('notes').insert([{ title: a, body: 'x' }, { title: b }]).select('title,body').order('title');
    expect(error).toBeNull();
    expect(data).toEqual([{ title: a, body: 'x' }, { title: b, body: null }]);
  });

  test('defaultToNull: false sends missing=default: absent keys take the column default', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const { data, error } = await db().from('notes').insert([{ title: a, status: 'published' }, { title: b }], { defaultToNull: false }).select('title,status');
    expect(error).toBeNull();
    expect(data!.sort((x, y) => x.title.localeCompare(y.title))).toEqual([{ title: a, status: 'published' }, { title: b, status: 'draft' }]);
  });

  test('single() after insert returns the object', async () => {
    const title = unique('n');
    const { data } = await db().from('notes').insert({ title }).select('title').single();
    expect(data).toEqual({ title });
  });

  test('Prefer: return=headers-only gives a Location header', async () => {
    const r = await rest('/notes', { method: 'POST', body: JSON.stringify({ title: unique('loc') }), headers: { Prefer: 'return=headers-only' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toMatch(/^\/notes\?id=eq\.\d+$/);
  });

  test('count on insert is reported in Content-Range', async () => {
    const { count, status } = await db().from('notes').insert([{ title: unique('c') }, { title: unique('c') }], { count: 'exact' });
    expect(status).toBe(201);
    expect(count).toBe(2);
  });

  test('a unique violation is a 409 with SQLSTATE 23505 and nothing is written', async () => {
    const title = unique('dup');
    await db().from('notes').insert({ title });
    const { error, status } = await db().from('notes').insert([{ title: unique('ok') }, { title }]);
    expect(status).toBe(409);
    expect(error).toMatchObject({ code: '23505' });
    expect(error!.details).toContain('already exists');
  });

  test('a foreign key violation is a 409 (23503); a check violation a 400 (23514); not-null a 400 (23502)', async () => {
    expect((await db().from('notes').insert({ title: unique('fk'), client_id: 999 })).status).toBe(409);
    const check = await db().from('notes').insert({ title: unique('ck'), status: 'nope' });
    expect(check.status).toBe(400);
    expect(check.error!.code).toBe('23514');
    const nn = await db().from('notes').insert({ body: 'no title' });
    expect(nn.status).toBe(400);
    expect(nn.error!.code).toBe('23502');
  });

  test('an unknown column in the payload is a 400 PGRST204', async () => {
    const r = await rest('/notes', { method: 'POST', body: JSON.stringify({ title: unique('x'), nope: 1 }) });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'PGRST204', message: "Could not find the 'nope' column of 'notes' in the schema cache" });
  });

  test('invalid JSON is a 400 PGRST102', async () => {
    const r = await rest('/notes', { method: 'POST', body: '{"title":' });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PGRST102');
  });

  test('a CSV body inserts rows', async () => {
    const [a, b] = [unique('csv'), unique('csv')];
    const r = await rest('/notes?select=title,body', {
      method: 'POST', body: `title,body\n${a},hello\n${b},NULL`,
      headers: { 'Content-Type': 'text/csv', Prefer: 'return=representation' },
    });
    expect(r.status).toBe(201);
    expect(r.json).toEqual([{ title: a, body: 'hello' }, { title: b, body: null }]);
  });
});

describe('upsert', () => {
  test('upsert merges on the primary key (resolution=merge-duplicates): 201 when it inserted, 200 when it only updated', async () => {
    const key = unique('k');
    expect((await db().from('kv').upsert({ key, value: 'one' })).status).toBe(201);
    const { data, status } = await db().from('kv').upsert({ key, value: 'two' }).select('key,value');
    expect(status).toBe(200);
    expect(data).toEqual([{ key, value: 'two' }]);
    const mixed = await db().from('kv').upsert([{ key, value: 'three' }, { key: unique('k'), value: 'new' }]);
    expect(mixed.status).toBe(201);
  });

  test('ignoreDuplicates keeps the existing row', async () => {
    const key = unique('k');
    await db().from('kv').insert({ key, value: 'first' });
    const { data } = await db().from('kv').upsert({ key, value: 'second' }, { ignoreDuplicates: true }).select();
    expect(data).toEqual([]);
    expect((await db().from('kv').select('value').eq('key', key).single()).data).toEqual({ value: 'first' });
  });

  test('onConflict names the unique columns to merge on', async () => {
    const title = unique('t');
    await db().from('notes').insert({ title, body: 'a' });
    const { data, error } = await db().from('notes').upsert({ title, body: 'b' }, { onConflict: 'title' }).select('title,body');
    expect(error).toBeNull();
    expect(data).toEqual([{ title, body: 'b' }]);
  });

  test('PUT upserts one row identified by its primary key filter', async () => {
    const key = unique('put');
    const r = await rest(`/kv?key=eq.${key}`, { method: 'PUT', body: JSON.stringify({ key, value: 'v' }), headers: { Prefer: 'return=representation' } });
    expect(r.status).toBe(201);
    expect(r.json).toEqual([{ key, value: 'v', hits: 0 }]);
    expect(r.headers.get('content-range')).toBeNull();
    const replaced = await rest(`/kv?key=eq.${key}`, { method: 'PUT', body: JSON.stringify({ key, value: 'w' }), headers: { Prefer: 'return=representation' } });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toEqual([{ key, value: 'w', hits: 0 }]);
    // the body's key is compared with the URL's as the column's type: 0600 is 600
    const typed = await rest('/many?id=eq.0600', { method: 'PUT', body: JSON.stringify({ id: 600, even: true }) });
    expect(typed.status).toBe(204);
    const otherKey = await rest('/many?id=eq.601', { method: 'PUT', body: JSON.stringify({ id: 600, even: false }) });
    expect(otherKey.status).toBe(400);
    expect(otherKey.json.code).toBe('PGRST115');
    expect((await rest('/many?id=eq.600&select=even')).json).toEqual([{ even: true }]);
    const mismatch = await rest(`/kv?key=eq.${key}`, { method: 'PUT', body: JSON.stringify({ key: 'other', value: 'v' }) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.code).toBe('PGRST115');
    const noPk = await rest('/kv?value=eq.v', { method: 'PUT', body: JSON.stringify({ key, value: 'v' }) });
    expect(noPk.status).toBe(405);
    expect(noPk.json.code).toBe('PGRST105');
  });
});

describe('response headers, as PostgREST\'s', () => {
  test('DELETE reports the count of deleted rows without a range: */N when counted, */* otherwise', async () => {
    const [a, b] = [unique('d'), unique('d')];
    await db().from('kv').insert([{ key: a }, { key: b }]);
    const counted = await rest(`/kv?key=in.(${a},${b})`, { method: 'DELETE', headers: { Prefer: 'return=representation, count=exact' } });
    expect(counted.status).toBe(200);
    expect(counted.headers.get('content-range')).toBe('*/2');
    const none = await rest(`/kv?key=eq.${a}`, { method: 'DELETE' });
    expect(none.status).toBe(204);
    expect(none.headers.get('content-range')).toBe('*/*');
  });

  test('Preference-Applied lists what was applied in PostgREST\'s order, the first of repeated preferences winning', async () => {
    const r = await rest('/kv', {
      method: 'POST', body: JSON.stringify({ key: unique('p') }),
      headers: { Prefer: 'count=exact, return=representation, tx=commit, tx=rollback, return=minimal' },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('preference-applied')).toBe('return=representation, count=exact, tx=commit');
  });

  test('a time zone Postgres does not know is ignored, or refused with handling=strict', async () => {
    const lenient = await rest('/items?select=id&limit=1', { headers: { Prefer: 'timezone=Nowhere/Bogus' } });
    expect(lenient.status).toBe(200);
    expect(lenient.headers.get('preference-applied')).toBeNull();
    const applied = await rest('/items?select=id&limit=1', { headers: { Prefer: 'timezone=America/Los_Angeles' } });
    expect(applied.headers.get('preference-applied')).toBe('timezone=America/Los_Angeles');
    // one that Node knows and Postgres does not is ignored too
    expect((await rest('/items?select=id&limit=1', { headers: { Prefer: 'timezone=US/Pacific-New' } })).status).toBe(200);
    const strict = await rest('/items?select=id&limit=1', { headers: { Prefer: 'handling=strict, timezone=Nowhere/Bogus' } });
    expect(strict.status).toBe(400);
    expect(strict.json.code).toBe('PGRST122');
  });

  test('upsert and PUT work on a partitioned table (which cannot return xmax)', async () => {
    const id = Math.floor(Math.random() * 900_000);
    const up = await rest('/parted', { method: 'POST', body: JSON.stringify({ id, note: 'a' }), headers: { Prefer: 'resolution=merge-duplicates' } });
    expect(up.status).toBe(201);
    const again = await rest('/parted', { method: 'POST', body: JSON.stringify({ id, note: 'b' }), headers: { Prefer: 'resolution=merge-duplicates, return=representation' } });
    expect(again.json).toEqual([{ id, note: 'b' }]);
    const put = await rest(`/parted?id=eq.${id}`, { method: 'PUT', body: JSON.stringify({ id, note: 'c' }), headers: { Prefer: 'return=representation' } });
    expect(put.json).toEqual([{ id, note: 'c' }]);
  });

  test('max-affected limits updates and deletes, not inserts', async () => {
    const r = await rest('/kv', {
      method: 'POST', body: JSON.stringify([{ key: unique('m') }, { key: unique('m') }]),
      headers: { Prefer: 'handling=strict, max-affected=1' },
    });
    expect(r.status).toBe(201);
  });

  test('with several schemas exposed, a body comes with the Content-Profile it was read from', async () => {
    const r = await rest('/items?select=id&limit=1');
    expect(r.headers.get('content-profile')).toBe('rest_test');
    expect((await rest('/kv?key=eq.none', { method: 'DELETE' })).headers.get('content-profile')).toBeNull();
    expect((await rest('/')).headers.get('content-profile')).toBe('rest_test');
  });

  test('a function\'s single result comes with Content-Range 0-0/*, or 0-0/1 when counted', async () => {
    expect((await rest('/rpc/add?a=1&b=2')).headers.get('content-range')).toBe('0-0/*');
    expect((await rest('/rpc/add?a=1&b=2', { headers: { Prefer: 'count=exact' } })).headers.get('content-range')).toBe('0-0/1');
  });
});

describe('update and delete', () => {
  test('update() changes only the filtered rows and answers 204 without select()', async () => {
    const [a, b] = [unique('u'), unique('u')];
    await db().from('notes').insert([{ title: a }, { title: b }]);
    const { status, error } = await db().from('notes').update({ body: 'changed' }).eq('title', a);
    expect(error).toBeNull();
    expect(status).toBe(204);
    const { data } = await db().from('notes').select('title,body').in('title', [a, b]).order('title');
    expect(data).toEqual([{ title: a, body: 'changed' }, { title: b, body: null }].sort((x, y) => x.title.localeCompare(y.title)));
  });

  test('update().select() returns the changed rows', async () => {
    const title = unique('u');
    await db().from('notes').insert({ title });
    const { data, status } = await db().from('notes').update({ rank: 5 }).eq('title', title).select('title,rank');
    expect(status).toBe(200);
    expect(data).toEqual([{ title, rank: 5 }]);
  });

  test('delete() removes the filtered rows; with select() returns them', async () => {
    const title = unique('d');
    await db().from('notes').insert({ title });
    const { data, status } = await db().from('notes').delete().eq('title', title).select('title');
    expect(status).toBe(200);
    expect(data).toEqual([{ title }]);
    expect((await db().from('notes').select('id').eq('title', title)).data).toEqual([]);
  });

  test('an update or delete matching no rows answers 204 (and [] with select())', async () => {
    const none = unique('none');
    expect((await db().from('notes').delete().eq('title', none)).status).toBe(204);
    expect((await db().from('notes').update({ body: 'x' }).eq('title', none)).status).toBe(204);
    expect((await db().from('notes').update({ body: 'x' }).eq('title', none).select()).data).toEqual([]);
  });

  test('update with order and limit changes only the first rows in that order', async () => {
    const p = unique('lim');
    await db().from('notes').insert([{ title: `${p}-1`, rank: 3 }, { title: `${p}-2`, rank: 1 }, { title: `${p}-3`, rank: 2 }]);
    const { data, error } = await db().from('notes').update({ body: 'first two' }).like('title', `${p}-*`).order('rank').limit(2).select('title');
    expect(error).toBeNull();
    expect(data).toEqual([{ title: `${p}-2` }, { title: `${p}-3` }]);
    const rows = await db().from('notes').select('title,body').like('title', `${p}-*`).order('title');
    expect(rows.data).toEqual([{ title: `${p}-1`, body: null }, { title: `${p}-2`, body: 'first two' }, { title: `${p}-3`, body: 'first two' }]);
  });

  test('count on delete reports the affected rows', async () => {
    const p = unique('dc');
    await db().from('notes').insert([{ title: `${p}-1` }, { title: `${p}-2` }]);
    const { count, status } = await db().from('notes').delete({ count: 'exact' }).like('title', `${p}-*`);
    expect(status).toBe(204);
    expect(count).toBe(2);
  });

  test('max-affected with handling=strict rolls back and answers 400 PGRST124', async () => {
    const p = unique('ma');
    await db().from('notes').insert([{ title: `${p}-1` }, { title: `${p}-2` }]);
    // maxAffected() is typed for PostgREST 13 schemas only; the request it sends is what matters here
    const { error, status } = await (db().from('notes').delete().like('title', `${p}-*`) as any).maxAffected(1);
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'PGRST124', details: 'The query affects 2 rows' });
    expect((await db().from('notes').select('id').like('title', `${p}-*`)).data).toHaveLength(2);
  });

  test('Prefer: tx=rollback answers as if done but changes nothing', async () => {
    const title = unique('tx');
    const r = await rest('/notes?select=title', { method: 'POST', body: JSON.stringify({ title }), headers: { Prefer: 'return=representation,tx=rollback' } });
    expect(r.status).toBe(201);
    expect(r.json).toEqual([{ title }]);
    expect(r.headers.get('preference-applied')).toContain('tx=rollback');
    expect((await db().from('notes').select('id').eq('title', title)).data).toEqual([]);
  });

  test('the payload may not be an array for PATCH', async () => {
    const r = await rest('/notes?id=eq.1', { method: 'PATCH', body: JSON.stringify([{ body: 'x' }]) });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PGRST102');
  });

  test('writing a table without the privilege is a 401 for anon (42501)', async () => {
    const r = await rest('/clients', { method: 'POST', body: JSON.stringify({ id: 50, name: 'x' }) });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('42501');
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
  });
});
