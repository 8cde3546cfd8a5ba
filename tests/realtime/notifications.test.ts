import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { client, closeClients, closeDb, createUser, Inbox, sleep, subscribe, type TestUser } from './support.js';

// The app's own tables end to end: a like written through the REST API becomes a notification
// row (by trigger), which Realtime delivers to its recipient only.

let a: TestUser;
let b: TestUser;
let c: TestUser;

beforeAll(async () => {
  [a, b, c] = await Promise.all([createUser('nota'), createUser('notb'), createUser('notc')]);
});

afterAll(async () => {
  await closeClients();
  await closeDb();
});

async function postBy(user: TestUser, content: string): Promise<number> {
  const { data, error } = await (await client(user.token)).from('posts').insert({ content }).select('id').single();
  expect(error).toBeNull();
  return data!.id as number;
}

async function like(user: TestUser, postId: number): Promise<void> {
  const { error } = await (await client(user.token)).from('likes').insert({ post_id: postId });
  expect(error).toBeNull();
}

async function notificationsOf(user: TestUser | null, filter?: string) {
  const inbox = new Inbox();
  const channel = (await client(user?.token ?? stack().serviceRoleKey))
    .channel(`notifications-${Math.random()}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notifications', ...(filter ? { filter } : {}) }, inbox.push);
  await subscribe(channel);
  return inbox;
}

describe('notifications arrive live', () => {
  it('user B likes user A’s post → A receives the notification INSERT; C receives nothing of A’s', async () => {
    const postId = await postBy(a, 'realtime notifications, live');
    const forA = await notificationsOf(a, `recipient_id=eq.${a.id}`);
    const forC = await notificationsOf(c);

    await like(b, postId);

    const [notification] = await forA.waitFor(1);
    expect(notification).toMatchObject({
      schema: 'public',
      table: 'notifications',
      eventType: 'INSERT',
      new: { recipient_id: a.id, actor_id: b.id, type: 'like', post_id: postId, comment_id: null, read_at: null },
      errors: null,
    });
    await sleep(500);
    expect(forC.items).toEqual([]);
  });

  it('a filter on recipient_id delivers only that recipient’s notifications', async () => {
    // The service role passes RLS, so only the filter separates A's notifications from C's.
    const onlyA = await notificationsOf(null, `recipient_id=eq.${a.id}`);
    const everyone = await notificationsOf(null);
    const postOfC = await postBy(c, 'a post by C');
    const postOfA = await postBy(a, 'another post by A');

    await like(b, postOfC);
    await like(b, postOfA);

    const all = await everyone.waitFor(2);
    expect(all.map((n) => n.new.recipient_id).sort()).toEqual([a.id, c.id].sort());
    const [mine] = await onlyA.waitFor(1);
    expect(mine.new).toMatchObject({ recipient_id: a.id, post_id: postOfA });
    await sleep(300);
    expect(onlyA.items).toHaveLength(1);
  });
});
