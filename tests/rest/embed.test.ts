import { beforeAll, describe, expect, test } from 'vitest';
import { client, loadFixture, rest } from './support.js';

// PostgREST resource embedding: docs/references/api/resource_embedding.rst
beforeAll(loadFixture);
const db = () => client();

describe('relationships', () => {
  test('many-to-one embeds an object (null when there is no parent)', async () => {
    const { data } = await db().from('projects').select('name,clients(name)').in('id', [1, 5]).order('id');
    expect(data).toEqual([{ name: 'Windows 7', clients: { name: 'Microsoft' } }, { name: 'Orphan', clients: null }]);
  });

  test('one-to-many embeds an array (empty when there are no children)', async () => {
    const { data } = await db().from('clients').select('name,projects(name)').eq('id', 2);
    expect(data).toEqual([{ name: 'Apple', projects: [{ name: 'IOS' }, { name: 'OSX' }] }]);
    const r = await rest('/tasks?select=id,users_tasks(user_id)&id=eq.8');
    expect(r.json).toEqual([{ id: 8, users_tasks: [] }]);
  });

  test('one-to-one embeds an object in both directions', async () => {
    expect((await db().from('countries').select('name,capitals(name)').eq('id', 1)).data).toEqual([{ name: 'Afghanistan', capitals: { name: 'Kabul' } }]);
    expect((await db().from('capitals').select('name,countries(name)').eq('id', 2)).data).toEqual([{ name: 'Algiers', countries: { name: 'Algeria' } }]);
  });

  test('many-to-many embeds through the junction table', async () => {
    const { data } = await db().from('users').select('name,tasks(name)').eq('id', 3);
    expect(data).toEqual([{ name: 'Dwight Schrute', tasks: [{ name: 'Design w7' }, { name: 'Design IOS' }] }]);
  });

  test('nested embedding follows several levels', async () => {
    const { data } = await db().from('clients').select('name,projects(name,tasks(name))').eq('id', 1);
    expect(data![0].projects[1]).toEqual({ name: 'Windows 10', tasks: [{ name: 'Design w10' }, { name: 'Code w10' }] });
  });

  test('an embed can be aliased', async () => {
    const { data } = await db().from('projects').select('name,owner:clients(name)').eq('id', 3);
    expect(data).toEqual([{ name: 'IOS', owner: { name: 'Apple' } }]);
  });

  test('embedding by the foreign key column name', async () => {
    const r = await rest('/projects?select=name,client_id(name)&id=eq.1');
    expect(r.json).toEqual([{ name: 'Windows 7', client_id: { name: 'Microsoft' } }]);
  });

  test('views embed through their base tables\' foreign keys', async () => {
    expect((await db().from('projects_v').select('name,clients(name)').eq('id', 4)).data).toEqual([{ name: 'OSX', clients: { name: 'Apple' } }]);
    expect((await db().from('clients_v').select('name,projects(name)').eq('id', 2)).data)
      .toEqual([{ name: 'Apple', projects: [{ name: 'IOS' }, { name: 'OSX' }] }]);
  });

  test('no relationship is a 400 PGRST200', async () => {
    const r = await rest('/clients?select=*,users(*)');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({
      code: 'PGRST200',
      message: "Could not find a relationship between 'clients' and 'users' in the schema cache",
      details: "Searched for a foreign key relationship between 'clients' and 'users' in the schema 'rest_test', but no matches were found.",
    });
  });

  test('an ambiguous embed is a 300 PGRST201 listing the candidates', async () => {
    const r = await rest('/messages?select=*,users(*)');
    expect(r.status).toBe(300);
    expect(r.json.code).toBe('PGRST201');
    expect(r.json.details).toHaveLength(2);
    expect(r.json.hint).toContain("'users!messages_sender_fkey'");
  });

  test('disambiguation with !constraint or !column', async () => {
    const { data } = await db().from('messages').select('body,sender:users!messages_sender_fkey(name),receiver:users!receiver_id(name)').eq('id', 1);
    expect(data).toEqual([{ body: 'hi', sender: { name: 'Angela Martin' }, receiver: { name: 'Michael Scott' } }]);
  });

  test('self-referencing: the foreign key column names the parent, the table (hinted by the column) the children', async () => {
    const { data } = await db().from('employees').select('name,manager:manager_id(name),reports:employees!manager_id(name)').eq('id', 2);
    expect(data).toEqual([{ name: 'Worker', manager: { name: 'Boss' }, reports: [{ name: 'Intern' }] }]);
  });
});

describe('embedded modifiers', () => {
  test('filters on an embedded resource filter the embed, not the parent', async () => {
    const { data } = await db().from('clients').select('name,projects(name)').eq('projects.name', 'IOS').order('id');
    expect(data).toEqual([{ name: 'Microsoft', projects: [] }, { name: 'Apple', projects: [{ name: 'IOS' }] }]);
  });

  test('!inner removes parents without matching children', async () => {
    const { data } = await db().from('clients').select('name,projects!inner(name)').eq('projects.name', 'IOS');
    expect(data).toEqual([{ name: 'Apple', projects: [{ name: 'IOS' }] }]);
    const m2o = await db().from('projects').select('name,clients!inner(name)').eq('clients.name', 'Apple').order('id');
    expect(m2o.data!.map((p) => p.name)).toEqual(['IOS', 'OSX']);
  });

  test('order, limit and offset apply inside the embed', async () => {
    const { data } = await db().from('clients').select('name,projects(name)').eq('id', 1)
      .order('name', { referencedTable: 'projects', ascending: false }).limit(1, { referencedTable: 'projects' });
    expect(data).toEqual([{ name: 'Microsoft', projects: [{ name: 'Windows 7' }] }]);
    const r = await rest('/clients?select=projects(id)&id=eq.1&projects.order=id&projects.offset=1');
    expect(r.json).toEqual([{ projects: [{ id: 2 }] }]);
  });

  test('or on an embedded resource', async () => {
    const { data } = await db().from('clients').select('id,projects(id)').eq('id', 1).or('id.eq.2,name.eq.Windows 7', { referencedTable: 'projects' });
    expect(data).toEqual([{ id: 1, projects: [{ id: 1 }, { id: 2 }] }]);
  });

  test('embedded=is.null keeps parents without related rows (anti-join)', async () => {
    const r = await rest('/projects?select=name,clients()&clients=is.null');
    expect(r.json).toEqual([{ name: 'Orphan' }]);
    const tasks = await rest('/tasks?select=id,users_tasks(user_id)&users_tasks=is.null&order=id');
    expect(tasks.json).toEqual([{ id: 8, users_tasks: [] }]);
    const withUsers = await rest('/tasks?select=id,users_tasks()&users_tasks=not.is.null&order=id');
    expect(withUsers.json.map((t: { id: number }) => t.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('a filter on an embed that is not selected is a 400 PGRST108', async () => {
    const r = await rest('/clients?select=id&projects.name=eq.IOS');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'PGRST108', message: "'projects' is not an embedded resource in this request" });
  });

  test('order by a to-one embedded column', async () => {
    const r = await rest('/projects?select=id,clients(name)&client_id=not.is.null&order=clients(name).desc,id.desc');
    expect(r.json.map((p: { id: number }) => p.id)).toEqual([2, 1, 4, 3]);
  });

  test('order by a to-many embed is a 400 PGRST118', async () => {
    const r = await rest('/clients?select=id,projects(name)&order=projects(name)');
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PGRST118');
  });
});

describe('counting related rows', () => {
  test('embed(count) gives [{ count }] of the related rows, filters included', async () => {
    const { data } = await db().from('clients').select('name,projects(count)').order('id');
    expect(data).toEqual([{ name: 'Microsoft', projects: [{ count: 2 }] }, { name: 'Apple', projects: [{ count: 2 }] }]);
    const filtered = await db().from('clients').select('id,projects(count)').eq('id', 1).eq('projects.name', 'Windows 7');
    expect(filtered.data).toEqual([{ id: 1, projects: [{ count: 1 }] }]);
  });
});

describe('spread', () => {
  test('...to-one spreads the embedded columns into the parent', async () => {
    const { data } = await db().from('projects').select('name,...clients(client_name:name)').eq('id', 1);
    expect(data).toEqual([{ name: 'Windows 7', client_name: 'Microsoft' }]);
  });

  test('...to-many spreads columns as arrays', async () => {
    const r = await rest('/clients?select=name,...projects(project:name)&id=eq.2&projects.order=id');
    expect(r.json).toEqual([{ name: 'Apple', project: ['IOS', 'OSX'] }]);
  });
});
