import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeClients, closeDb, createUser, Inbox, sleep, subscribe, type TestUser } from './support.js';

// The recommended route for notifications: each new one is broadcast from the database to the
// recipient's private channel `user:<id>:notifications`, which only the recipient may join.

let a: TestUser;
let b: TestUser;
let c: TestUser;

beforeAll(async () => {
  [a, b, c] = await Promise.all([createUser('bna'), createUser('bnb'), createUser('bnc')]);
});

afterAll(async () => {
  await closeClients();
  await closeDb();
});

const topicOf = (user: TestUser) => `user:${user.id}:notifications`;

describe('notifications on the private per-user channel', () => {
  it('B likes A’s post → A gets INSERT with the row on user:<A>:notifications; C cannot join it', async () => {
    const atA = await client(a.token);
    const { data: post, error } = await atA.from('posts').insert({ content: 'broadcast notifications' }).select('id').single();
    expect(error).toBeNull();

    const inbox = new Inbox();
    await subscribe(atA.channel(topicOf(a), { config: { private: true } }).on('broadcast', { event: 'INSERT' }, inbox.push));

    const intruder = (await client(c.token)).channel(topicOf(a), { config: { private: true } });
    await expect(subscribe(intruder, 5_000)).rejects.toThrow(`Unauthorized: You do not have permissions to read from this Channel topic: ${topicOf(a)}`);
    const cInbox = new Inbox();
    await subscribe((await client(c.token)).channel(topicOf(c), { config: { private: true } }).on('broadcast', { event: '*' }, cInbox.push));

    const { error: likeError } = await (await client(b.token)).from('likes').insert({ post_id: post!.id });
    expect(likeError).toBeNull();

    const [message] = await inbox.waitFor(1);
    expect(message).toMatchObject({
      type: 'broadcast',
      event: 'INSERT',
      payload: {
        operation: 'INSERT',
        table: 'notifications',
        schema: 'public',
        old_record: null,
        record: { recipient_id: a.id, actor_id: b.id, type: 'like', post_id: post!.id, read_at: null },
      },
    });
    await sleep(500);
    expect(cInbox.items).toHaveLength(0);
  });

  it('nobody may send to a notifications topic, not even its owner', async () => {
    const atA = await client(a.token);
    const spy = new Inbox();
    await subscribe(atA.channel(topicOf(a), { config: { private: true } }).on('broadcast', { event: 'fake' }, spy.push));
    const sender = (await client(a.token)).channel(topicOf(a), { config: { private: true } });
    await subscribe(sender);
    await sender.send({ type: 'broadcast', event: 'fake', payload: { forged: true } });
    const forger = (await client(b.token)).channel(topicOf(a), { config: { private: true } });
    expect(await forger.httpSend('fake', { forged: true }).then(() => 'sent', (e: Error) => e.message)).not.toBe('sent');
    await sleep(500);
    expect(spy.items).toHaveLength(0);
  });
});
