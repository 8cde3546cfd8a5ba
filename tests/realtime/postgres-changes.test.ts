import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeClients, closeDb, createUser, dropTable, Inbox, ownedTable, sleep, sql, subscribe, type TestUser } from './support.js';

// postgres_changes through supabase-js: the change payload's shape, events, filters, and RLS
// deciding who receives which change.

let table: string;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  table = await ownedTable();
  [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
});

afterAll(async () => {
  await closeClients();
  await dropTable(table);
  await closeDb();
});

async function listen(token: string, filter: Record<string, string>, name = 'changes') {
  const inbox = new Inbox();
  const channel = (await client(token)).channel(`${name}-${Math.random()}`).on('postgres_changes', { schema: 'public', table, ...filter } as never, inbox.push);
  return { inbox, channel };
}

describe('postgres_changes', () => {
  it('delivers an INSERT with Supabase’s payload shape', async () => {
    const { inbox, channel } = await listen(alice.token, { event: 'INSERT' });
    await subscribe(channel);
    const [row] = await sql<{ id: string }>(`insert into public.${table} (owner_id, body, score, meta) values ($1, 'hello', 7, '{"a":[1,2]}') returning id`, [alice.id]);
    const [payload] = await inbox.waitFor(1);
    expect(payload).toMatchObject({
      schema: 'public',
      table,
      eventType: 'INSERT',
      new: { id: Number(row.id), owner_id: alice.id, body: 'hello', score: 7, meta: { a: [1, 2] } },
      old: {},
      errors: null,
    });
    expect(payload.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof payload.new.created_at).toBe('string');
  });

  it('delivers UPDATE with the key as old record, and DELETE with only the key under RLS', async () => {
    const { inbox, channel } = await listen(alice.token, { event: '*' });
    await subscribe(channel);
    // Like Supabase, visibility is checked against the table when the change is processed:
    // a row already deleted by then is not delivered, so each step waits for the previous one.
    const [row] = await sql<{ id: string }>(`insert into public.${table} (owner_id, body) values ($1, 'v1') returning id`, [alice.id]);
    await inbox.waitFor(1);
    await sql(`update public.${table} set body = 'v2' where id = $1`, [row.id]);
    await inbox.waitFor(2);
    await sql(`delete from public.${table} where id = $1`, [row.id]);
    const events = await inbox.waitFor(3);
    expect(events.map((e) => e.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(events[1].new).toMatchObject({ id: Number(row.id), body: 'v2' });
    expect(events[1].old).toEqual({ id: Number(row.id) });
    expect(events[2].new).toEqual({});
    expect(events[2].old).toEqual({ id: Number(row.id) });
  });

  it('sends the whole old row with replica identity full (DELETE still only the key under RLS)', async () => {
    await sql(`alter table public.${table} replica identity full`);
    try {
      const { inbox, channel } = await listen(alice.token, { event: 'UPDATE' });
      await subscribe(channel);
      const [row] = await sql<{ id: string }>(`insert into public.${table} (owner_id, body) values ($1, 'before') returning id`, [alice.id]);
      await sql(`update public.${table} set body = 'after' where id = $1`, [row.id]);
      const [update] = await inbox.waitFor(1);
      expect(update.old).toMatchObject({ id: Number(row.id), body: 'before', owner_id: alice.id });
      expect(update.new).toMatchObject({ body: 'after' });
    } finally {
      await sql(`alter table public.${table} replica identity default`);
    }
  });

  it('gives a row only to subscribers whose RLS lets them see it', async () => {
    const a = await listen(alice.token, { event: 'INSERT' });
    const b = await listen(bob.token, { event: 'INSERT' });
    await Promise.all([subscribe(a.channel), subscribe(b.channel)]);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'for alice')`, [alice.id]);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'for bob')`, [bob.id]);
    const [forAlice] = await a.inbox.waitFor(1);
    const [forBob] = await b.inbox.waitFor(1);
    await sleep(300);
    expect(a.inbox.items.map((p) => p.new.body)).toEqual(['for alice']);
    expect(b.inbox.items.map((p) => p.new.body)).toEqual(['for bob']);
    expect(forAlice.new.owner_id).toBe(alice.id);
    expect(forBob.new.owner_id).toBe(bob.id);
  });

  it('gives anon nothing from a table whose policies only admit owners', async () => {
    const anon = await listen('', { event: 'INSERT' });
    const owner = await listen(alice.token, { event: 'INSERT' });
    await Promise.all([subscribe(anon.channel), subscribe(owner.channel)]);
    await sql(`insert into public.${table} (owner_id) values ($1)`, [alice.id]);
    await owner.inbox.waitFor(1);
    await sleep(300);
    expect(anon.inbox.items).toEqual([]);
  });

  it('filters with eq, neq, lt, lte, gt, gte, in and not.', async () => {
    const cases: [string, number[]][] = [
      ['score=eq.2', [2]],
      ['score=neq.2', [1, 3]],
      ['score=lt.2', [1]],
      ['score=lte.2', [1, 2]],
      ['score=gt.2', [3]],
      ['score=gte.2', [2, 3]],
      ['score=in.(1,3)', [1, 3]],
      ['score=not.in.(1,3)', [2]],
    ];
    const listeners = await Promise.all(cases.map(([filter]) => listen(alice.token, { event: 'INSERT', filter })));
    await Promise.all(listeners.map((l) => subscribe(l.channel)));
    for (const score of [1, 2, 3]) await sql(`insert into public.${table} (owner_id, score) values ($1, $2)`, [alice.id, score]);
    for (const [i, [filter, expected]] of cases.entries()) {
      const got = await listeners[i].inbox.waitFor(expected.length);
      await sleep(50);
      expect({ filter, scores: got.map((p) => p.new.score) }).toEqual({ filter, scores: expected });
    }
  });

  it('filters on a uuid column', async () => {
    const { inbox, channel } = await listen(alice.token, { event: 'INSERT', filter: `owner_id=eq.${alice.id}` });
    await subscribe(channel);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'mine')`, [alice.id]);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'not mine')`, [bob.id]);
    await inbox.waitFor(1);
    await sleep(300);
    expect(inbox.items.map((p) => p.new.body)).toEqual(['mine']);
  });

  it('tells the client when a table is not in the publication', async () => {
    const system = new Inbox();
    const channel = (await client(alice.token))
      .channel(`missing-${Math.random()}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: 'no_such_table' }, () => {})
      .on('system', {}, system.push);
    await subscribe(channel);
    const [message] = await system.waitFor(1);
    expect(message).toMatchObject({ extension: 'postgres_changes', status: 'error' });
    expect(message.message).toBe('Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: '
      + '[event: *, schema: public, table: no_such_table, filters: [], select: nil]');
  });

  it('confirms a postgres_changes subscription with a system message', async () => {
    const system = new Inbox();
    const channel = (await client(alice.token))
      .channel(`ok-${Math.random()}`)
      .on('postgres_changes', { event: '*', schema: 'public', table }, () => {})
      .on('system', {}, system.push);
    await subscribe(channel);
    const [message] = await system.waitFor(1);
    expect(message).toMatchObject({ extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL' });
  });
});
