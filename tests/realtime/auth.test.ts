import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  closeClients,
  closeDb,
  createUser,
  dropTable,
  Inbox,
  ownedTable,
  rawSocket,
  signToken,
  sleep,
  sql,
  subscribe,
  tokenFor,
  unique,
  type TestUser,
} from './support.js';

// Tokens: the socket's apikey, the join's access_token, expiry while subscribed, and refresh.

let table: string;
let user: TestUser;

beforeAll(async () => {
  table = await ownedTable('rtauth');
  user = await createUser('tok');
});

afterAll(async () => {
  await closeClients();
  await dropTable(table);
  await closeDb();
});

async function joinError(token: string): Promise<string> {
  const channel = (await client(token)).channel(unique('auth'));
  try {
    await subscribe(channel);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('joined');
}

async function changes(token: string) {
  const inbox = new Inbox();
  const system = new Inbox();
  const statuses: string[] = [];
  const channel = (await client(token))
    .channel(unique('expiry'))
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table }, inbox.push)
    .on('system', {}, system.push);
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, err) => {
      statuses.push(status);
      if (status === 'SUBSCRIBED') resolve();
      if (status === 'CHANNEL_ERROR') reject(err);
    });
  });
  return { inbox, system, statuses, channel };
}

const insert = (body: string) => sql(`insert into public.${table} (owner_id, body) values ($1, $2)`, [user.id, body]);

describe('tokens', () => {
  it('refuses a join whose token has a bad signature', async () => {
    const forged = await signToken({ sub: user.id }, 3600, 'not-the-secret-not-the-secret-not-the-secret');
    expect(await joinError(forged)).toBe('JwtSignatureError: Failed to validate JWT signature');
  });

  it('refuses a join with a token that is not a JWT', async () => {
    expect(await joinError('not-a-jwt')).toBe('MalformedJWT: The token provided is not a valid JWT');
  });

  it('refuses a join with an expired token', async () => {
    const expired = await signToken({ sub: user.id }, -30);
    expect(await joinError(expired)).toMatch(/^InvalidJWTToken: Token has expired \d+ seconds ago$/);
  });

  it('refuses a socket whose apikey is not a valid token (403)', async () => {
    await expect(rawSocket('nonsense')).rejects.toThrow('HTTP 403');
  });

  it('tells a subscriber whose token expires, and stops delivering to it', async () => {
    const shortLived = await tokenFor(user, 3);
    const { inbox, system, statuses } = await changes(shortLived);
    await insert('before expiry');
    await inbox.waitFor(1);
    const [message] = await system.waitFor(2, 6_000).then((all) => all.filter((m) => m.extension === 'system'));
    expect(message).toMatchObject({ extension: 'system', status: 'error' });
    expect(message.message).toMatch(/^Token has expired \d+ seconds ago$/);
    await sleep(200);
    expect(statuses).toContain('CLOSED');
    await insert('after expiry');
    await sleep(500);
    expect(inbox.items.map((p) => p.new.body)).toEqual(['before expiry']);
  });

  it('keeps delivering when a fresh access_token arrives before expiry', async () => {
    const shortLived = await tokenFor(user, 3);
    const c = await client(shortLived);
    const inbox = new Inbox();
    const channel = c.channel(unique('refresh')).on('postgres_changes', { event: 'INSERT', schema: 'public', table }, inbox.push);
    await subscribe(channel);
    await c.realtime.setAuth(await tokenFor(user, 3600));
    await sleep(4_000);
    await insert('after the first token expired');
    const [payload] = await inbox.waitFor(1);
    expect(payload.new.body).toBe('after the first token expired');
  });

  it('closes the channel when the access_token sent is invalid', async () => {
    const { system, statuses, channel } = await changes(user.token);
    await channel.socket.setAuth('not-a-jwt');
    const [message] = (await system.waitFor(2)).filter((m) => m.extension === 'system');
    expect(message).toMatchObject({ status: 'error', message: 'The token provided is not a valid JWT' });
    await sleep(200);
    expect(statuses).toContain('CLOSED');
  });
});
