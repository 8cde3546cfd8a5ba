import { afterAll, describe, expect, it } from 'vitest';
import { client, closeClients, frameWhere, Inbox, rawSocket, sleep, subscribe, unique, type RawSocket } from './support.js';

// One broadcast to many subscribers of a topic: every one gets the same frame, and a subscriber
// that stops reading holds up nobody else.

afterAll(closeClients);

const joinConfig = { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false };

/** A raw 2.0.0 socket joined to `topic`, keeping every frame's bytes as they arrived. */
async function joined(topic: string): Promise<RawSocket & { raw: Buffer[] }> {
  const socket = await rawSocket();
  const raw: Buffer[] = [];
  socket.ws.on('message', (data: Buffer) => raw.push(Buffer.from(data)));
  socket.send('1', '1', topic, 'phx_join', { config: joinConfig });
  await frameWhere(socket, (f) => f.event === 'phx_reply' && f.payload.status === 'ok');
  return Object.assign(socket, { raw });
}

const broadcastsOf = (s: RawSocket) => s.frames.items.filter((f) => f.event === 'broadcast');

describe('fan-out of a broadcast', () => {
  it('reaches every subscriber of the topic with the same frame, and realtime-js clients with the payload', async () => {
    const room = unique('fanout');
    const topic = `realtime:${room}`;
    const sockets = await Promise.all(Array.from({ length: 30 }, () => joined(topic)));
    const received = new Inbox();
    const listener = (await client()).channel(room).on('broadcast', { event: 'tick' }, received.push);
    const sender = (await client()).channel(room);
    await Promise.all([subscribe(listener), subscribe(sender)]);

    const payload = { n: 1, text: 'héllo', nested: { list: [1, 2, 3] } };
    expect(await sender.send({ type: 'broadcast', event: 'tick', payload })).toBe('ok');
    expect((await received.waitFor(1))[0]).toMatchObject({ event: 'tick', payload });
    for (const s of sockets) await frameWhere(s, (f) => f.event === 'broadcast' || f.binary);

    // The frame after the join reply: the broadcast, byte for byte the same on every socket.
    const frames = sockets.map((s) => s.raw[1]);
    for (const f of frames) expect(f.equals(frames[0])).toBe(true);
    for (const s of sockets) expect(s.raw).toHaveLength(2);

    // The same from a JSON push: one JSON frame, refs null as Realtime sends broadcasts.
    const publisher = await joined(topic);
    publisher.send('1', '2', topic, 'broadcast', { type: 'broadcast', event: 'tick', payload: { n: 2 } });
    for (const s of sockets) await frameWhere(s, (f) => f.event === 'broadcast' && f.payload.payload?.n === 2);
    const jsonFrames = sockets.map((s) => s.raw[s.raw.length - 1]);
    for (const f of jsonFrames) expect(f.equals(jsonFrames[0])).toBe(true);
    expect(JSON.parse(String(jsonFrames[0]))).toEqual([null, null, topic, 'broadcast', { type: 'broadcast', event: 'tick', payload: { n: 2 } }]);
    expect((await received.waitFor(2))[1]).toMatchObject({ event: 'tick', payload: { n: 2 } });
    for (const s of [...sockets, publisher]) s.ws.terminate();
  });

  it('keeps delivering to everyone else, in order, while one subscriber reads nothing', async () => {
    const topic = `realtime:${unique('slow')}`;
    const slow = await joined(topic);
    const others = await Promise.all(Array.from({ length: 10 }, () => joined(topic)));
    const publisher = await joined(topic);
    slow.ws.pause(); // stops reading its socket: what the server sends it piles up

    // 400 broadcasts of 24 KiB (9.6 MB): more than the kernel buffers between the server and
    // the paused socket hold. Sent under the per-socket frame rate.
    const filler = 'x'.repeat(24 * 1024);
    const count = 400;
    for (let n = 0; n < count; n++) {
      publisher.send(null, null, topic, 'broadcast', { type: 'broadcast', event: 'load', payload: { n, filler } });
      if (n % 100 === 99) await sleep(300);
    }
    for (const s of others) await frameWhere(s, (f) => f.event === 'broadcast' && f.payload.payload.n === count - 1, 25_000);
    for (const s of others) expect(broadcastsOf(s).map((f) => f.payload.payload.n)).toEqual([...Array(count).keys()]);
    expect(broadcastsOf(slow).length).toBeLessThan(count);

    // The server still answers at once, and the slow reader, once it reads again, gets all of it.
    publisher.send(null, 'hb', 'phoenix', 'heartbeat', {});
    await frameWhere(publisher, (f) => f.topic === 'phoenix' && f.ref === 'hb', 2_000);
    slow.ws.resume();
    await frameWhere(slow, (f) => f.event === 'broadcast' && f.payload.payload.n === count - 1, 25_000);
    expect(broadcastsOf(slow).map((f) => f.payload.payload.n)).toEqual([...Array(count).keys()]);
    for (const s of [slow, ...others, publisher]) s.ws.terminate();
  }, 70_000);
});
