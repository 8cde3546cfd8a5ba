import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { client, closeClients, closeDb, createUser, Inbox, sleep, sql, subscribe, unique, type TestUser } from './support.js';

// Private channels (`config: { private: true }`), authorized as on Supabase by RLS on
// realtime.messages: a select policy decides who may join, an insert policy who may broadcast;
// for presence, policies on extension = 'presence' decide who sees it and who may track.

let room: string;
let presenceRoom: string; // alice sees and tracks presence; carol only joins (broadcast reads)
let alice: TestUser; // may read and broadcast
let carol: TestUser; // may read, may not broadcast
let bob: TestUser; // may do neither
const policies: string[] = [];

beforeAll(async () => {
  room = unique('room').replace('_', '-');
  presenceRoom = `${room}-presence`;
  [alice, carol, bob] = await Promise.all([createUser('alice'), createUser('carol'), createUser('bob')]);
  const read = `${room} readers`;
  const write = `${room} writers`;
  const presenceRead = `${room} presence readers`;
  const presenceWrite = `${room} presence writers`;
  policies.push(read, write, presenceRead, presenceWrite);
  await sql(`
    create policy "${presenceRead}" on realtime.messages for select to authenticated
      using (realtime.topic() = '${presenceRoom}' and (extension = 'broadcast' and (select auth.uid()) in ('${alice.id}', '${carol.id}')
             or extension = 'presence' and (select auth.uid()) = '${alice.id}'));
    create policy "${presenceWrite}" on realtime.messages for insert to authenticated
      with check (realtime.topic() = '${presenceRoom}' and extension = 'presence' and (select auth.uid()) = '${alice.id}');
  `);
  await sql(`
    create policy "${read}" on realtime.messages for select to authenticated
      using (realtime.topic() = '${room}' and (select auth.uid()) in ('${alice.id}', '${carol.id}'));
    create policy "${write}" on realtime.messages for insert to authenticated
      with check (realtime.topic() = '${room}' and extension = 'broadcast' and (select auth.uid()) = '${alice.id}');
  `);
});

afterAll(async () => {
  await closeClients();
  for (const name of policies) await sql(`drop policy if exists "${name}" on realtime.messages`);
  await closeDb();
});

const privateChannel = async (token: string | undefined, topic: string, config: Record<string, unknown> = {}) =>
  (await client(token)).channel(topic, { config: { private: true, ...config } });

async function joinRefusal(token: string | undefined, topic: string): Promise<string> {
  const channel = await privateChannel(token, topic);
  const error = await subscribe(channel, 5_000).then(
    () => null,
    (err: Error) => err.message,
  );
  await channel.unsubscribe();
  if (error === null) throw new Error('the join was accepted');
  return error;
}

describe('private channels', () => {
  it('a user the select policy lets read joins, and receives what an allowed user broadcasts', async () => {
    const atCarol = new Inbox();
    const atAlice = new Inbox();
    const listener = (await privateChannel(carol.token, room)).on('broadcast', { event: 'msg' }, atCarol.push);
    const sender = (await privateChannel(alice.token, room, { broadcast: { self: true, ack: true } })).on('broadcast', { event: 'msg' }, atAlice.push);
    await Promise.all([subscribe(listener), subscribe(sender)]);
    expect(await sender.send({ type: 'broadcast', event: 'msg', payload: { text: 'hello' } })).toBe('ok');
    expect((await atCarol.waitFor(1))[0]).toMatchObject({ type: 'broadcast', event: 'msg', payload: { text: 'hello' } });
    expect((await atAlice.waitFor(1))[0].payload).toEqual({ text: 'hello' });
  });

  it('refuses a user no select policy admits, with Supabase’s reason', async () => {
    expect(await joinRefusal(bob.token, room)).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: ${room}`);
  });

  it('refuses anon', async () => {
    expect(await joinRefusal(undefined, room)).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: ${room}`);
  });

  it('refuses an allowed reader on another topic (the policy sees the topic through realtime.topic())', async () => {
    const other = `${room}-other`;
    expect(await joinRefusal(alice.token, other)).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: ${other}`);
  });

  it('drops the broadcasts of a reader without insert permission, and does not acknowledge them', async () => {
    const atAlice = new Inbox();
    const listener = (await privateChannel(alice.token, room)).on('broadcast', { event: 'msg' }, atAlice.push);
    const reader = await privateChannel(carol.token, room, { broadcast: { ack: true } });
    await Promise.all([subscribe(listener), subscribe(reader)]);
    expect(await reader.send({ type: 'broadcast', event: 'msg', payload: { from: 'carol' } }, { timeout: 1_000 })).toBe('timed out');
    expect(await reader.send({ type: 'broadcast', event: 'msg', payload: { from: 'carol again' } }, { timeout: 1_000 })).toBe('timed out');
    await sleep(200);
    expect(atAlice.items).toEqual([]);
  });

  it('keeps the public channel of the same name open to anyone, and apart from the private one', async () => {
    const atPrivate = new Inbox();
    const privateListener = (await privateChannel(alice.token, room)).on('broadcast', { event: 'pub' }, atPrivate.push);
    const atPublic = new Inbox();
    const publicListener = (await client(alice.token)).channel(room).on('broadcast', { event: 'pub' }, atPublic.push);
    const publicSender = (await client(bob.token)).channel(room);
    await Promise.all([subscribe(privateListener), subscribe(publicListener), subscribe(publicSender)]);
    await publicSender.send({ type: 'broadcast', event: 'pub', payload: { n: 1 } });
    expect((await atPublic.waitFor(1))[0].payload).toEqual({ n: 1 });
    await sleep(200);
    expect(atPrivate.items).toEqual([]);
  });

  it('takes REST broadcasts to a private topic only from callers the insert policy admits', async () => {
    const atCarol = new Inbox();
    const listener = (await privateChannel(carol.token, room)).on('broadcast', { event: 'rest' }, atCarol.push);
    await subscribe(listener);
    const post = (token: string, from: string) =>
      fetch(`${stack().apiUrl}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: stack().anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ topic: room, event: 'rest', payload: { from }, private: true }] }),
      });
    expect((await post(bob.token, 'bob')).status).toBe(202);
    expect((await post(alice.token, 'alice')).status).toBe(202);
    expect((await atCarol.waitFor(1))[0].payload).toEqual({ from: 'alice' });
    await sleep(200);
    expect(atCarol.items.map((m) => m.payload.from)).toEqual(['alice']);
  });

  it('refuses a single REST broadcast (channel.httpSend) to a private topic with 403 when the insert policy does not admit the caller', async () => {
    const atCarol = new Inbox();
    const listener = (await privateChannel(carol.token, room)).on('broadcast', { event: 'single' }, atCarol.push);
    await subscribe(listener);
    const send = (token: string, body: string, type = 'application/json') =>
      fetch(`${stack().apiUrl}/realtime/v1/api/broadcast/${room}/events/single?private=true`, {
        method: 'POST', headers: { apikey: stack().anonKey, authorization: `Bearer ${token}`, 'content-type': type }, body,
      });
    const refused = await send(bob.token, '{"from":"bob"}');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Unauthorized' });
    expect((await send(alice.token, 'plain text', 'text/plain')).status).toBe(415);
    expect((await send(alice.token, '')).status).toBe(202);
    expect((await send(alice.token, '{"from":"alice"}')).status).toBe(202);
    const got = await atCarol.waitFor(2);
    expect(got.map((m) => m.payload)).toEqual([{}, { from: 'alice' }]);
  });

  it('lets only a client the insert policy admits for presence track, and shows presence only to readers of presence', async () => {
    const aliceChannel = (await privateChannel(alice.token, presenceRoom, { presence: { key: 'alice' } })).on('presence', { event: 'sync' }, () => {});
    const carolSyncs = new Inbox();
    const carolChannel = (await privateChannel(carol.token, presenceRoom, { presence: { key: 'carol' } })).on('presence', { event: 'sync' }, () => carolSyncs.push(true));
    await Promise.all([subscribe(aliceChannel), subscribe(carolChannel)]);
    expect(await carolChannel.track({ status: 'lurking' })).toBe('error');
    expect(await aliceChannel.track({ status: 'online' })).toBe('ok');
    await expect.poll(() => Object.keys(aliceChannel.presenceState()), { timeout: 5_000 }).toEqual(['alice']);
    await sleep(300);
    // carol, who may not read presence, is sent neither the state nor alice's join
    expect(carolSyncs.items).toEqual([]);
    expect(carolChannel.presenceState()).toEqual({});
  });

  it('leaves no probe rows behind in realtime.messages', async () => {
    expect(await sql(`select count(*)::int as n from realtime.messages where topic like $1`, [`${room}%`])).toEqual([{ n: 0 }]);
  });
});
