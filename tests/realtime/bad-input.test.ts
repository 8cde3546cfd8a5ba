import { afterAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { client, closeClients, frameWhere, Inbox, rawSocket, subscribe, unique, type RawSocket } from './support.js';

// Bad input gets a protocol error or a close, and never disturbs the other clients.

afterAll(closeClients);

/** A supabase-js client in a room, to show it still gets broadcasts after someone misbehaved. */
async function bystander() {
  const room = unique('bystander');
  const inbox = new Inbox();
  const listener = (await client()).channel(room).on('broadcast', { event: 'still-here' }, inbox.push);
  const sender = (await client()).channel(room);
  await Promise.all([subscribe(listener), subscribe(sender)]);
  return {
    async stillServed() {
      await sender.send({ type: 'broadcast', event: 'still-here', payload: { n: inbox.items.length } });
      await inbox.waitFor(inbox.items.length + 1);
    },
  };
}

const join = (s: RawSocket, topic: string, payload: unknown = { config: {} }, ref = '1') => s.send(ref, ref, topic, 'phx_join', payload);

describe('bad input', () => {
  it('closes a socket that sends a frame that is not JSON (1007); others are unaffected', async () => {
    const other = await bystander();
    const s = await rawSocket();
    s.ws.send('{not json');
    expect((await s.closed).code).toBe(1007);
    await other.stillServed();
  });

  it('closes a socket that sends a JSON frame of the wrong shape (1007)', async () => {
    const s = await rawSocket();
    s.ws.send(JSON.stringify({ topic: 'realtime:x' }));
    expect((await s.closed).code).toBe(1007);
  });

  it('closes a socket that sends a binary frame it cannot decode', async () => {
    const s = await rawSocket();
    s.ws.send(Buffer.from([9, 9, 9]));
    expect((await s.closed).code).toBe(1007);
  });

  it('answers a message for a topic the socket has not joined with "unmatched topic"', async () => {
    const s = await rawSocket();
    s.send(null, '7', 'realtime:never-joined', 'broadcast', { type: 'broadcast', event: 'x', payload: {} });
    const reply = await frameWhere(s, (f) => f.ref === '7');
    expect(reply).toMatchObject({ topic: 'realtime:never-joined', event: 'phx_reply', payload: { status: 'error', response: { reason: 'unmatched topic' } } });
    s.ws.close();
  });

  it('refuses joins of unknown topics and of a topic without a name', async () => {
    const s = await rawSocket();
    join(s, 'room:lobby', {}, '1');
    join(s, 'realtime:', {}, '2');
    expect((await frameWhere(s, (f) => f.ref === '1')).payload).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    expect((await frameWhere(s, (f) => f.ref === '2')).payload).toEqual({
      status: 'error',
      response: { reason: 'TopicNameRequired: You must provide a topic name' },
    });
    s.ws.close();
  });

  it('reports an unparsable postgres_changes filter as a system error', async () => {
    const s = await rawSocket();
    join(s, 'realtime:badfilter', { config: { postgres_changes: [{ event: '*', schema: 'public', table: 'notifications', filter: 'recipient_id=foo.x' }] } });
    const system = await frameWhere(s, (f) => f.event === 'system');
    expect(system.payload).toMatchObject({ extension: 'postgres_changes', status: 'error', channel: 'badfilter' });
    expect(system.payload.message).toContain('Error parsing `filter` params');
    s.ws.close();
  });

  it('closes a socket that floods (1008), telling its channels why; others are unaffected', async () => {
    const other = await bystander();
    const s = await rawSocket();
    join(s, 'realtime:flood');
    await frameWhere(s, (f) => f.event === 'phx_reply');
    for (let i = 0; i < 1_000; i++) s.send('1', String(i + 10), 'realtime:flood', 'broadcast', { type: 'broadcast', event: 'spam', payload: { i } });
    const closed = await s.closed;
    expect(closed).toEqual({ code: 1008, reason: 'Too many messages per second' });
    expect(s.frames.items.find((f) => f.event === 'system')?.payload).toMatchObject({ status: 'error', message: 'Too many messages per second' });
    await other.stillServed();
  });

  it('closes a socket that sends a frame over the size limit (1009)', async () => {
    const s = await rawSocket();
    s.ws.send('x'.repeat(3 * 1024 * 1024 + 1));
    expect((await s.closed).code).toBe(1009);
  });

  it('answers heartbeats on the phoenix topic', async () => {
    const s = await rawSocket();
    s.send(null, '42', 'phoenix', 'heartbeat', {});
    expect((await frameWhere(s, (f) => f.ref === '42')).payload).toEqual({ status: 'ok', response: {} });
    s.ws.close();
  });

  it('refuses a socket with an unsupported vsn (400)', async () => {
    await expect(rawSocket(stack().anonKey, '9.9.9')).rejects.toThrow('HTTP 400');
  });
});
