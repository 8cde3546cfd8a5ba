import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetDatabase } from '../../stack/db/reset.js';
import { log } from '../../stack/log.js';
import { startStack, type RunningStack } from '../../stack/stack.js';
import { client, closeClients, Inbox, sleep, tokenFor, unique } from './support.js';

// A stack of its own (temp data dir, fixed ports) so it can be stopped and started under a
// live subscription without disturbing the shared test stack.

let dataDir: string;
let ports: { apiPort: number; dbPort: number };
let running: RunningStack | null = null;
let db: pg.Pool | null = null;

async function start(): Promise<RunningStack> {
  // The client reconnects to the same API port; the mail ports may be new (another service may
  // still be letting go of the old ones).
  for (let attempt = 1; ; attempt++) {
    try {
      running = await startStack({ dataDir, ...ports, inboxPort: await getPort(), smtpPort: await getPort(), seed: false });
      break;
    } catch (err) {
      if (attempt >= 10 || !/already in use/.test(String(err))) throw err;
      await sleep(500);
    }
  }
  db = new pg.Pool({ connectionString: running!.urls.db, max: 2 });
  db.on('error', () => {});
  return running!;
}

async function stop(): Promise<void> {
  await db?.end().catch(() => {});
  db = null;
  await running?.stop();
  running = null;
}

const sql = (text: string, params: unknown[] = []) => db!.query(text, params).then((r) => r.rows);

async function setUp() {
  const table = unique('rtrestart');
  const id = crypto.randomUUID();
  const email = `${unique('restart')}@realtime.test`;
  await sql(
    `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ($1, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $2, '', now(), '{}', '{}', now(), now())`,
    [id, email],
  );
  await sql(`
    create table public.${table} (id bigint generated always as identity primary key, owner_id uuid not null, body text not null);
    alter table public.${table} enable row level security;
    create policy "owners read" on public.${table} for select to authenticated using ((select auth.uid()) = owner_id);
    grant select on public.${table} to authenticated;
    alter publication supabase_realtime add table public.${table};`);
  return { table, user: { id, email } };
}

async function subscriber(table: string, user: { id: string; email: string }) {
  const c = await client(await tokenFor(user), { apiUrl: running!.urls.api, anonKey: running!.config.anonKey });
  const changes = new Inbox();
  const subscribed = new Inbox();
  const channel = c
    .channel(unique('restart'))
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table }, changes.push)
    .on('system', {}, (m: { extension: string; status: string }) => m.extension === 'postgres_changes' && m.status === 'ok' && subscribed.push(m));
  channel.subscribe();
  await subscribed.waitFor(1);
  return { changes, subscribed, channel };
}

beforeAll(async () => {
  // Stopping Postgres under live pools is the point here; their warnings are expected noise.
  log.level = 'error';
  // The change stream lets go of the slot soon after the last subscriber leaves.
  process.env.AGORA_REALTIME_LINGER_MS = '200';
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-rt-restart-'));
  chmodSync(dataDir, 0o755);
  ports = { apiPort: await getPort(), dbPort: await getPort() };
  await start();
});

afterAll(async () => {
  await closeClients();
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restarts', () => {
  it('an idle stack holds no replication connection; a subscriber gets what is committed after it joined, not before', async () => {
    const { table, user } = await setUp();
    const [idle] = await sql(`select count(*)::int as n from pg_stat_replication`);
    expect(idle.n).toBe(0);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'before anyone listened')`, [user.id]);
    const { changes } = await subscriber(table, user);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'after')`, [user.id]);
    await changes.waitFor(1);
    await sleep(500);
    expect(changes.items.map((p) => p.new.body)).toEqual(['after']);
  });

  it('a stack restart during a subscription: the client reconnects and gets later changes, none lost or repeated', async () => {
    const { table, user } = await setUp();
    const { changes, subscribed } = await subscriber(table, user);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'one')`, [user.id]);
    await changes.waitFor(1);

    await stop();
    await start();
    // realtime-js reconnects by itself and rejoins its channels.
    await subscribed.waitFor(2, 30_000);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'two')`, [user.id]);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'three')`, [user.id]);
    await changes.waitFor(3);
    await sleep(1_000);
    expect(changes.items.map((p) => p.new.body)).toEqual(['one', 'two', 'three']);
  });

  it('a Postgres restart under a live socket: the change stream reconnects and delivers what follows', async () => {
    const { table, user } = await setUp();
    const { changes } = await subscriber(table, user);
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'before')`, [user.id]);
    await changes.waitFor(1);
    await running!.cluster.stop();
    await running!.cluster.start();
    // Committed while the stream is still reconnecting: the slot keeps it until it is delivered.
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'after')`, [user.id]);
    await changes.waitFor(2, 20_000);
    await sleep(500);
    expect(changes.items.map((p) => p.new.body)).toEqual(['before', 'after']);
  });

  it('the replication slot dropped by db:reset is recreated and changes flow again', async () => {
    // With nobody subscribed the stream holds no slot, so the reset cannot race it.
    await closeClients();
    for (let i = 0; i < 50; i++) {
      const [slot] = await sql(`select active from pg_replication_slots where slot_name = 'agora_realtime'`);
      if (!slot?.active) break;
      await sleep(100);
    }
    await resetDatabase(running!.config);
    const { table, user } = await setUp();
    const { changes } = await subscriber(table, user);
    const [slot] = await sql(`select slot_name, active from pg_replication_slots where slot_name = 'agora_realtime'`);
    expect(slot).toMatchObject({ slot_name: 'agora_realtime', active: true });
    await sql(`insert into public.${table} (owner_id, body) values ($1, 'after reset')`, [user.id]);
    expect((await changes.waitFor(1))[0].new.body).toBe('after reset');
  });
});
