import { afterAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { client, closeClients, Inbox, sleep, subscribe, unique } from './support.js';

// Broadcast and presence between supabase-js clients, over both wire versions.

afterAll(closeClients);

describe('broadcast', () => {
  for (const vsn of ['2.0.0', '1.0.0']) {
    it(`reaches the other clients of the room but not the sender by default (vsn ${vsn})`, async () => {
      const room = unique('room');
      const received = new Inbox();
      const own = new Inbox();
      const listener = (await client(undefined, { vsn })).channel(room).on('broadcast', { event: 'cursor' }, received.push);
      const sender = (await client(undefined, { vsn })).channel(room).on('broadcast', { event: 'cursor' }, own.push);
      await Promise.all([subscribe(listener), subscribe(sender)]);
      expect(await sender.send({ type: 'broadcast', event: 'cursor', payload: { x: 1, y: 2 } })).toBe('ok');
      const [message] = await received.waitFor(1);
      expect(message).toMatchObject({ type: 'broadcast', event: 'cursor', payload: { x: 1, y: 2 } });
      await sleep(200);
      expect(own.items).toEqual([]);
    });
  }

  it('reaches a 1.0.0 client from a 2.0.0 client, and the other way round', async () => {
    const room = unique('mixed');
    const atV1 = new Inbox();
    const atV2 = new Inbox();
    const v1 = (await client(undefined, { vsn: '1.0.0' })).channel(room).on('broadcast', { event: 'hi' }, atV1.push);
    const v2 = (await client(undefined, { vsn: '2.0.0' })).channel(room).on('broadcast', { event: 'hi' }, atV2.push);
    await Promise.all([subscribe(v1), subscribe(v2)]);
    await v2.send({ type: 'broadcast', event: 'hi', payload: { from: 'v2' } });
    await v1.send({ type: 'broadcast', event: 'hi', payload: { from: 'v1' } });
    expect((await atV1.waitFor(1))[0].payload).toEqual({ from: 'v2' });
    expect((await atV2.waitFor(1))[0].payload).toEqual({ from: 'v1' });
  });

  it('echoes to the sender with self, and acknowledges with ack', async () => {
    const room = unique('self');
    const own = new Inbox();
    const channel = (await client())
      .channel(room, { config: { broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: 'note' }, own.push);
    await subscribe(channel);
    expect(await channel.send({ type: 'broadcast', event: 'note', payload: { n: 1 } })).toBe('ok');
    expect((await own.waitFor(1))[0].payload).toEqual({ n: 1 });
  });

  it('keeps rooms apart', async () => {
    const a = new Inbox();
    const roomA = (await client()).channel(unique('a')).on('broadcast', { event: 'e' }, a.push);
    const roomB = (await client()).channel(unique('b'));
    await Promise.all([subscribe(roomA), subscribe(roomB)]);
    await roomB.send({ type: 'broadcast', event: 'e', payload: {} });
    await sleep(300);
    expect(a.items).toEqual([]);
  });

  it('is sent by the REST API to subscribed clients', async () => {
    const room = unique('rest');
    const received = new Inbox();
    const listener = (await client()).channel(room).on('broadcast', { event: 'news' }, received.push);
    await subscribe(listener);
    const res = await fetch(`${stack().apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, authorization: `Bearer ${stack().anonKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: room, event: 'news', payload: { headline: 'hi' } }] }),
    });
    expect(res.status).toBe(202);
    expect((await received.waitFor(1))[0]).toMatchObject({ event: 'news', payload: { headline: 'hi' } });
  });

  it('is sent by channel.httpSend', async () => {
    const room = unique('http');
    const received = new Inbox();
    const listener = (await client()).channel(room).on('broadcast', { event: 'ping' }, received.push);
    await subscribe(listener);
    const sender = (await client()).channel(room);
    expect(await sender.httpSend('ping', { n: 42 })).toEqual({ success: true });
    expect((await received.waitFor(1))[0].payload).toEqual({ n: 42 });
  });

  it('answers a browser’s CORS preflight for the REST API', async () => {
    const res = await fetch(`${stack().apiUrl}/realtime/v1/api/broadcast`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey,authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects REST broadcasts without a valid token (401) or with bad messages (422)', async () => {
    const url = `${stack().apiUrl}/realtime/v1/api/broadcast`;
    const body = JSON.stringify({ messages: [{ topic: 'x', event: 'y', payload: {} }] });
    const noAuth = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(noAuth.status).toBe(401);
    const bad = await fetch(url, {
      method: 'POST',
      headers: { apikey: stack().anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: 'x' }] }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ errors: { messages: [{ event: ["can't be blank"], payload: ["can't be blank"] }] } });
  });
});

describe('presence', () => {
  it('syncs who is present, and tells others when someone joins and leaves', async () => {
    const room = unique('lobby');
    const alice = (await client()).channel(room, { config: { presence: { key: 'alice' } } });
    const joins = new Inbox();
    const leaves = new Inbox();
    alice.on('presence', { event: 'join' }, joins.push).on('presence', { event: 'leave' }, leaves.push).on('presence', { event: 'sync' }, () => {});
    await subscribe(alice);
    expect(await alice.track({ status: 'online' })).toBe('ok');

    const bobClient = await client();
    const bob = bobClient.channel(room, { config: { presence: { key: 'bob' } } });
    const bobSynced = new Inbox();
    bob.on('presence', { event: 'sync' }, () => bobSynced.push(true));
    await subscribe(bob);
    await bobSynced.waitFor(1);
    expect(Object.keys(bob.presenceState())).toEqual(['alice']);
    expect(bob.presenceState().alice[0]).toMatchObject({ status: 'online' });
    expect(bob.presenceState().alice[0].presence_ref).toEqual(expect.any(String));

    await bob.track({ status: 'typing' });
    const bobJoined = (await joins.waitFor(2)).find((j) => j.key === 'bob');
    expect(bobJoined.newPresences[0]).toMatchObject({ status: 'typing' });
    expect(Object.keys(alice.presenceState()).sort()).toEqual(['alice', 'bob']);

    await bob.untrack();
    const [left] = await leaves.waitFor(1);
    expect(left.key).toBe('bob');
    expect(Object.keys(alice.presenceState())).toEqual(['alice']);
  });

  it('drops a client’s presence when its socket closes', async () => {
    const room = unique('gone');
    const watcher = (await client()).channel(room, { config: { presence: { key: 'watcher' } } });
    const leaves = new Inbox();
    watcher.on('presence', { event: 'leave' }, leaves.push);
    await subscribe(watcher);
    const leaverClient = await client();
    const leaver = leaverClient.channel(room, { config: { presence: { key: 'leaver' } } });
    await subscribe(leaver);
    await leaver.track({ here: true });
    await sleep(200);
    expect(Object.keys(watcher.presenceState())).toContain('leaver');
    await leaverClient.realtime.disconnect();
    expect((await leaves.waitFor(1))[0].key).toBe('leaver');
  });
});
