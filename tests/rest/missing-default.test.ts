import { beforeAll, describe, expect, test } from 'vitest';
import { client, loadFixture, rest, unique } from './support.js';

// PostgREST's Prefer: missing=default (docs/references/api/preferences.rst, "Missing"; InsertSpec
// "apply defaults on missing values"): with columns=, a key absent from a row takes the column's
// default instead of NULL. supabase-js sends it for insert/upsert(..., { defaultToNull: false }).
beforeAll(loadFixture);
const db = () => client();

describe('Prefer: missing=default', () => {
  test('bulk insert through supabase-js: absent keys take the column, domain and identity defaults; an explicit null stays null', async () => {
    const a = unique('a');
    const b = unique('b');
    const { data, error, status } = await db().from('defaults')
      .insert([{ note: a }, { note: b, name: 'named', size: null }], { defaultToNull: false })
      .select('name,size,luck,twice,note,id');
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toEqual([
      { name: 'unnamed', size: 3, luck: 7, twice: 6, note: a, id: expect.any(Number) },
      { name: 'named', size: null, luck: 7, twice: 0, note: b, id: expect.any(Number) },
    ]);
    expect(data![1].id).toBeGreaterThan(data![0].id);
  });

  test('without it the same absent keys are NULL (defaultToNull, the default)', async () => {
    const note = unique('n');
    const { data, error } = await db().from('defaults').insert([{ note, size: 1 }, { note, name: 'x' }]).select('name,size,luck');
    // name is NOT NULL: the first row's missing name is a null, refused by Postgres
    expect(data).toBeNull();
    expect(error).toMatchObject({ code: '23502' });
  });

  test('raw HTTP: columns= with missing=default answers 201 and reports missing=default in Preference-Applied', async () => {
    const note = unique('raw');
    const r = await rest('/defaults?columns=name,size,note&select=name,size,note', {
      method: 'POST', body: JSON.stringify([{ note }]), headers: { Prefer: 'return=representation, missing=default' },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('preference-applied')).toBe('missing=default, return=representation');
    expect(r.json).toEqual([{ name: 'unnamed', size: 3, note }]);
  });

  test('a view column default applies through the view', async () => {
    const r = await rest('/defaults_view?columns=name,size&select=name,size', {
      method: 'POST', body: JSON.stringify({ size: 9 }), headers: { Prefer: 'return=representation, missing=default' },
    });
    expect(r).toMatchObject({ status: 201, json: [{ name: 'from the view', size: 9 }] });
  });

  test('repeated keys keep their last value, as PostgREST reads the body as jsonb', async () => {
    const r = await rest('/defaults?columns=note&select=note', {
      method: 'POST', body: '{"note":"first","note":"last"}', headers: { Prefer: 'return=representation, missing=default' },
    });
    expect(r).toMatchObject({ status: 201, json: [{ note: 'last' }] });
  });

  test('upsert with defaultToNull: false: the row lacking the key gets an identity id, the conflicting one is merged', async () => {
    const note = unique('up');
    const first = await db().from('defaults').insert({ note, size: 40 }).select('id').single();
    const id = first.data!.id;
    const { data, error } = await db().from('defaults').upsert([{ id, note }, { note: `${note}-new` }], { defaultToNull: false }).select('id,size,note');
    expect(error).toBeNull();
    // columns= is the union of the rows' keys (id, note): size is not written, the id of the new row is its default
    expect(data![0]).toEqual({ id, size: 40, note });
    expect(data![1]).toEqual({ id: expect.any(Number), size: 3, note: `${note}-new` });
    expect(data![1].id).toBeGreaterThan(id);
  });

  test('PATCH with columns= and missing=default sets the absent columns to their defaults', async () => {
    const note = unique('patch');
    await db().from('defaults').insert({ note, size: 40, name: 'kept?' });
    const r = await rest(`/defaults?note=eq.${note}&columns=name,size&select=name,size`, {
      method: 'PATCH', body: JSON.stringify({ size: 5 }), headers: { Prefer: 'return=representation, missing=default' },
    });
    expect(r).toMatchObject({ status: 200, json: [{ name: 'unnamed', size: 5 }] });
  });

  test('a generated column named in columns= fails as Postgres refuses it (428C9), as PostgREST does', async () => {
    const r = await rest('/defaults?columns=note,twice', {
      method: 'POST', body: JSON.stringify([{ note: 'g' }]), headers: { Prefer: 'missing=default' },
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: '428C9', message: 'cannot insert a non-DEFAULT value into column "twice"' });
  });

  test('an always-identity column in columns= is refused the same way; left out, it is generated', async () => {
    const bad = await rest('/always_ids?columns=id,label', { method: 'POST', body: '[{"label":"x"}]', headers: { Prefer: 'missing=default' } });
    expect(bad).toMatchObject({ status: 400, json: { code: '428C9' } });
    const ok = await db().from('always_ids').insert([{ label: 'y' }], { defaultToNull: false }).select('id,label');
    expect(ok.error).toBeNull();
    expect(ok.data).toEqual([{ id: expect.any(Number), label: 'y' }]);
  });
});
