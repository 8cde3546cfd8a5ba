import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stack } from '../support/env.js';
import { client, loadFixture, rest, unique } from './support.js';

// PostgREST's execution plan (docs/references/observability.rst "Execution plan"; PlanSpec):
// Accept: application/vnd.pgrst.plan[+text|+json]; for="..."; options=analyze|verbose|settings|buffers|wal,
// answered only with db_plan_enabled (an in-database setting of the authenticator role).
const db = () => client();

async function setPlanEnabled(on: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: stack().dbUrl });
  await admin.connect();
  try {
    await admin.query(on ? "alter role authenticator set pgrst.db_plan_enabled = 'true'" : 'alter role authenticator reset pgrst.db_plan_enabled');
    await admin.query("notify pgrst, 'reload config'");
  } finally {
    await admin.end();
  }
  // the configuration is read with the schema cache: wait until the answer shows it
  for (let i = 0; i < 100; i++) {
    const r = await rest('/projects', { headers: { Accept: 'application/vnd.pgrst.plan' } });
    if ((r.status === 200) === on) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`db_plan_enabled never became ${on}`);
}

beforeAll(async () => {
  await loadFixture();
  await setPlanEnabled(true);
});
afterAll(() => setPlanEnabled(false));

describe('explain() with db_plan_enabled', () => {
  test('supabase-js explain() gets the text plan of a read, with PostgREST\'s Content-Type', async () => {
    const { data, error, status } = await db().from('projects').select('id,name').eq('id', 1).explain();
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(typeof data).toBe('string');
    expect(data as unknown as string).toMatch(/cost=\d/);
    const raw = await rest('/projects?id=eq.1', { headers: { Accept: 'application/vnd.pgrst.plan' } });
    expect(raw.headers.get('content-type')).toBe('application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8');
    expect(raw.headers.get('content-range')).toBeNull();
  });

  test('+json with options gives EXPLAIN\'s JSON document; options are named in PostgREST\'s order', async () => {
    const raw = await rest('/projects?select=name', { headers: { Accept: 'application/vnd.pgrst.plan+json; options=verbose|analyze|settings|buffers|wal|bogus' } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose|settings|buffers|wal; charset=utf-8');
    expect(raw.json[0].Plan['Total Cost']).toBeGreaterThan(0);
    expect(raw.json[0].Plan['Actual Rows']).toBeGreaterThanOrEqual(0);
    expect(raw.json[0].Settings).toMatchObject({ search_path: expect.stringContaining('rest_test') });
    expect(raw.json[0].Plan).toHaveProperty('WAL Records');
    expect(raw.json[0].Plan).toHaveProperty('Shared Hit Blocks');
    const { data } = await db().from('projects').select('id').explain({ format: 'json', verbose: true });
    expect((data as any)[0].Plan.Output).toBeDefined();
  });

  test('for= names the representation planned: a singular object, CSV; one we cannot produce is 406', async () => {
    const obj = await rest('/projects?id=eq.1', { headers: { Accept: 'application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object+json"' } });
    expect(obj.headers.get('content-type')).toBe('application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object+json"; charset=utf-8');
    const csv = await rest('/projects', { headers: { Accept: 'application/vnd.pgrst.plan; for="text/csv"' } });
    expect(csv.headers.get('content-type')).toBe('application/vnd.pgrst.plan+text; for="text/csv"; charset=utf-8');
    const xml = await rest('/projects', { headers: { Accept: 'application/vnd.pgrst.plan; for="text/xml"' } });
    expect(xml).toMatchObject({ status: 406, json: { code: 'PGRST107' } });
  });

  test('a write is planned without running; with analyze it runs and commits, unless Prefer: tx=rollback', async () => {
    const planned = unique('plan');
    const p = await db().from('notes').insert({ title: planned }).explain();
    expect(p.status).toBe(200);
    expect(p.data as unknown as string).toMatch(/Insert on notes/);
    expect((await db().from('notes').select('id').eq('title', planned)).data).toEqual([]);

    const analyzed = unique('analyzed');
    const a = await rest('/notes', { method: 'POST', body: JSON.stringify({ title: analyzed }), headers: { Accept: 'application/vnd.pgrst.plan; options=analyze' } });
    expect(a.status).toBe(200);
    expect(a.text).toMatch(/actual time=/);
    expect((await db().from('notes').select('title').eq('title', analyzed)).data).toEqual([{ title: analyzed }]);

    const rolled = unique('rolled');
    const r = await rest('/notes', { method: 'POST', body: JSON.stringify({ title: rolled }), headers: { Accept: 'application/vnd.pgrst.plan; options=analyze', Prefer: 'tx=rollback' } });
    expect(r.status).toBe(200);
    expect((await db().from('notes').select('title').eq('title', rolled)).data).toEqual([]);
  });

  test('an RPC call, by GET and POST, is planned too', async () => {
    const { data, error } = await db().rpc('numbers', { n: 3 }).explain({ format: 'json', analyze: true });
    expect(error).toBeNull();
    expect((data as any)[0].Plan['Actual Rows']).toBeGreaterThanOrEqual(1);
    const get = await rest('/rpc/add?a=1&b=2', { headers: { Accept: 'application/vnd.pgrst.plan+json' } });
    expect(get.status).toBe(200);
    expect(get.json[0].Plan).toBeDefined();
  });

  test('bad input in a planned request is PostgREST\'s error, not a plan', async () => {
    const r = await rest('/projects?select=nope', { headers: { Accept: 'application/vnd.pgrst.plan' } });
    expect(r).toMatchObject({ status: 400, json: { code: '42703' } });
    const missing = await rest('/nowhere', { headers: { Accept: 'application/vnd.pgrst.plan' } });
    expect(missing.json.code).toBe('PGRST205');
  });
});

describe('explain() without db_plan_enabled', () => {
  test('the plan media type is not available: 406 PGRST107 naming it as PostgREST does', async () => {
    await setPlanEnabled(false);
    const r = await rest('/projects', { headers: { Accept: 'application/vnd.pgrst.plan+json; options=analyze' } });
    expect(r.status).toBe(406);
    expect(r.json).toMatchObject({
      code: 'PGRST107',
      message: 'None of these media types are available: application/vnd.pgrst.plan+json; for="application/json"; options=analyze',
    });
    const { error } = await db().from('projects').select('id').explain();
    expect(error).toMatchObject({ code: 'PGRST107' });
  });
});
