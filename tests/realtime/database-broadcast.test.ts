import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeClients, closeDb, createUser, db, frameWhere, Inbox, rawSocket, sleep, sql, subscribe, unique, type TestUser } from './support.js';

// Broadcast from the database: realtime.send and realtime.broadcast_changes write to
// realtime.messages, and Realtime delivers each committed message to the topic's channels,
// private ones only to clients RLS on realtime.messages lets read the topic.

let room: string;
let reader: TestUser; // the select policy admits them on `room`
let outsider: TestUser; // no policy admits them
let table: string;
const policy = () => `${room} readers`;

beforeAll(async () => {
  room = unique('dbroom').replace('_', '-');
  table = unique('bc');
  [reader, outsider] = await Promise.all([createUser('dbreader'), createUser('dboutsider')]);
  await sql(`
    create policy "${policy()}" on realtime.messages for select to authenticated
      using (realtime.topic() = '${room}' and (select auth.uid()) = '${reader.id}');
    create table public.${table} (id bigint generated always as identity primary key, body text not null);
    create function public.${table}_broadcast() returns trigger language plpgsql security definer set search_path = '' as $$
    begin
      perform realtime.broadcast_changes('${room}', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
      return null;
    end $$;
    create trigger broadcast after insert or update or delete on public.${table}
      for each row execute function public.${table}_broadcast();
  `);
});

afterAll(async () => {
  await closeClients();
  await sql(`drop policy if exists "${policy()}" on realtime.messages; drop table if exists public.${table}; drop function if exists public.${table}_broadcast()`);
  await closeDb();
});

async function listen(token: string | undefined, topic: string, isPrivate: boolean, event = '*') {
  const inbox = new Inbox();
  const channel = (await client(token)).channel(topic, { config: { private: isPrivate } }).on('broadcast', { event }, inbox.push);
  await subscribe(channel);
  return inbox;
}

describe('broadcast from the database', () => {
  it('realtime.send reaches public subscribers of a public topic', async () => {
    const topic = unique('public-topic');
    const inbox = await listen(outsider.token, topic, false);
    await sql(`select realtime.send('{"n": 1}'::jsonb, 'ping', $1, false)`, [topic]);
    const [message] = await inbox.waitFor(1);
    expect(message).toMatchObject({ type: 'broadcast', event: 'ping', payload: { n: 1 } });
    expect(message.meta).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('realtime.send (private by default) reaches an authorised private subscriber, not the public topic of that name', async () => {
    const privateInbox = await listen(reader.token, room, true);
    const publicInbox = await listen(outsider.token, room, false);
    await sql(`select realtime.send('{"secret": true}'::jsonb, 'note', $1)`, [room]);
    expect((await privateInbox.waitFor(1))[0]).toMatchObject({ event: 'note', payload: { secret: true } });
    await sleep(500);
    expect(publicInbox.items).toHaveLength(0);
  });

  it('an unauthorised client cannot join the private topic and so receives nothing', async () => {
    const channel = (await client(outsider.token)).channel(room, { config: { private: true } });
    await expect(subscribe(channel, 5_000)).rejects.toThrow(/Unauthorized/);
  });

  it('a rolled-back send is not delivered; messages arrive in commit order', async () => {
    const inbox = await listen(reader.token, room, true, 'order');
    const tx = await db().connect();
    try {
      await tx.query('begin');
      await tx.query(`select realtime.send('{"n": "rolled back"}'::jsonb, 'order', $1)`, [room]);
      await tx.query('rollback');
      await sql(`select realtime.send('{"n": 1}'::jsonb, 'order', $1)`, [room]);
      await tx.query('begin');
      await tx.query(`select realtime.send('{"n": 2}'::jsonb, 'order', $1)`, [room]);
      await tx.query(`select realtime.send('{"n": 3}'::jsonb, 'order', $1)`, [room]);
      await tx.query('commit');
    } finally {
      tx.release();
    }
    const messages = await inbox.waitFor(3);
    await sleep(300);
    expect(inbox.items.map((m) => m.payload.n)).toEqual([1, 2, 3]);
    expect(messages).toHaveLength(3);
  });

  it('broadcast_changes from a trigger delivers record, old_record, operation, table and schema', async () => {
    const inbox = await listen(reader.token, room, true, 'UPDATE');
    await sql(`insert into public.${table} (body) values ('first')`);
    await sql(`update public.${table} set body = 'second'`);
    const [message] = await inbox.waitFor(1);
    expect(message.event).toBe('UPDATE');
    expect(message.payload).toMatchObject({
      operation: 'UPDATE',
      table,
      schema: 'public',
      record: { body: 'second' },
      old_record: { body: 'first' },
    });
  });
});

describe('broadcast replay on join (config.broadcast.replay)', () => {
  it('a private channel receives the topic’s stored broadcasts since the given time, oldest first, marked replayed', async () => {
    const since = Date.now() - 60_000;
    const topic = `${room}`;
    await sql(`select realtime.send('{"r": 1}'::jsonb, 'replayed', $1)`, [topic]);
    await sql(`select realtime.send('{"r": 2}'::jsonb, 'replayed', $1)`, [topic]);
    const inbox = new Inbox();
    const channel = (await client(reader.token))
      .channel(topic, { config: { private: true, broadcast: { replay: { since, limit: 2 } } } })
      .on('broadcast', { event: 'replayed' }, inbox.push);
    await subscribe(channel);
    const messages = await inbox.waitFor(2);
    expect(messages.map((m) => m.payload)).toEqual([{ r: 1 }, { r: 2 }]);
    expect(messages[0].meta).toEqual({ replayed: true, id: expect.any(String) });
  });

  it('is refused on a public channel, with Realtime’s reason (realtime-js refuses it before sending)', async () => {
    const socket = await rawSocket();
    const topic = `realtime:${unique('pub')}`;
    socket.send('1', '1', topic, 'phx_join', { config: { broadcast: { replay: { since: 0 } }, private: false }, access_token: reader.token });
    const reply = await frameWhere(socket, (f) => f.event === 'phx_reply' && f.topic === topic);
    expect(reply.payload).toEqual({ status: 'error', response: { reason: 'UnableToReplayMessages: Replay is not allowed for public channels' } });
    socket.ws.close();
  });

  it('refuses parameters that are not integers', async () => {
    const channel = (await client(reader.token)).channel(room, { config: { private: true, broadcast: { replay: { since: 'yesterday' } } } } as never);
    await expect(subscribe(channel, 5_000)).rejects.toThrow('UnableToReplayMessages: Replay params are not valid');
  });
});
