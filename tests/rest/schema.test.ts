import { beforeAll, describe, expect, test } from 'vitest';
import { adminDb, client, jwt, loadFixture, rest, unique } from './support.js';

// PostgREST's schema cache (schema_cache.rst), OpenAPI (openapi.rst) and per-request isolation (transactions.rst)
beforeAll(loadFixture);
const db = adminDb();

describe('schema cache', () => {
  test("NOTIFY pgrst, 'reload schema' makes a new table reachable", async () => {
    const name = `fresh_${unique('t').replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    await db().query(`create table rest_test.${name} (id int primary key); grant select on rest_test.${name} to anon; insert into rest_test.${name} values (7)`);
    try {
      await db().query(`notify pgrst, 'reload schema'`);
      let r = await rest(`/${name}`);
      for (let i = 0; i < 50 && r.status === 404; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await rest(`/${name}`);
      }
      expect(r.status).toBe(200);
      expect(r.json).toEqual([{ id: 7 }]);
    } finally {
      await db().query(`drop table rest_test.${name}`);
      await db().query(`notify pgrst, 'reload schema'`);
    }
  });
});

describe('OpenAPI', () => {
  test('GET /rest/v1/ describes the exposed schema\'s tables, columns and functions', async () => {
    const r = await rest('/', { headers: { 'Accept-Profile': 'rest_test' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8');
    expect(r.json.swagger).toBe('2.0');
    expect(r.json.paths['/clients'].get).toBeDefined();
    expect(r.json.paths['/rpc/add'].post).toBeDefined();
    expect(r.json.definitions.clients).toMatchObject({ type: 'object', required: ['id', 'name'], description: 'Clients of the agency' });
    expect(r.json.definitions.projects.properties.client_id.description).toContain("<fk table='clients' column='id'/>");
    expect(r.json.definitions.clients.properties.id).toMatchObject({ type: 'integer', format: 'integer' });
  });

  test('it follows the caller\'s privileges: anon does not see a table it has no grant on', async () => {
    const anon = await rest('/', { headers: { 'Accept-Profile': 'rest_test' } });
    expect(anon.json.paths['/owned']).toBeUndefined();
    const token = await jwt({ role: 'authenticated', sub: 'someone' });
    const user = await rest('/', { headers: { 'Accept-Profile': 'rest_test', Authorization: `Bearer ${token}` } });
    expect(user.json.paths['/owned']).toBeDefined();
  });
});

describe('isolation between requests', () => {
  test('pooled connections come back clean: role and claims never leak into the next request', async () => {
    const token = await jwt({ role: 'service_role', sub: 'svc' });
    const calls = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? rest('/rpc/whoami', { headers: { Authorization: `Bearer ${token}` } }).then((r) => ['service_role', r.json.role])
        : rest('/rpc/whoami').then((r) => ['anon', r.json.role, r.json.claims]));
    for (const [expected, role, claims] of await Promise.all(calls)) {
      expect(role).toBe(expected);
      // the anon key's own claims, never the service token's
      if (expected === 'anon') expect(claims).toMatchObject({ role: 'anon' });
      if (expected === 'anon') expect(claims.sub).toBeUndefined();
    }
  });

  test('a failing request does not affect the next one on the same pool', async () => {
    const bad = await Promise.all(Array.from({ length: 15 }, () => rest('/rpc/fail', { method: 'POST', body: '{"msg":"x"}' })));
    expect(bad.every((r) => r.status === 400)).toBe(true);
    const good = await client().from('clients').select('id').order('id');
    expect(good.data).toEqual([{ id: 1 }, { id: 2 }]);
  });
});

describe('or across embedded resources', () => {
  test('an or= condition may name a column of an embedded resource', async () => {
    const r = await rest('/projects?select=id,clients!inner(name)&or=(id.eq.5,clients.name.eq.Apple)&order=id');
    expect(r.status).toBe(200);
    expect(r.json.map((p: { id: number }) => p.id)).toEqual([3, 4]);
  });

  test('conditions may reach several levels down the embeds', async () => {
    const r = await rest('/clients?select=id,projects(tasks(id))&or=(projects.tasks.name.eq.Code OSX,id.eq.99)');
    expect(r.status).toBe(200);
    expect(r.json.map((c: { id: number }) => c.id)).toEqual([2]);
  });
});
