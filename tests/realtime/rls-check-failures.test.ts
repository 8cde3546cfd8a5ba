import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeClients, closeDb, createUser, dropTable, Inbox, ownedTable, sleep, sql, subscribe, unique, type TestUser } from './support.js';

// Each postgres_changes INSERT on an RLS table is checked in the database as every subscriber
// before it is sent. A check that cannot run (its connection lost, the server gone) says nothing
// about visibility: the change must come later, once, not be dropped. A policy that fails for one
// subscriber withholds the change from that subscriber only.

let table: string;
let gate: string;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  table = await ownedTable('rtcheck');
  gate = unique('rtgate');
  [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
  // While the gate is closed, every RLS check on the table waits there, where the test can find
  // its backend and terminate it. Bob's checks raise.
  await sql(`
    create table public.${gate} (closed boolean not null);
    insert into public.${gate} values (false);
    create function public.${gate}_pass() returns boolean language plpgsql volatile security definer set search_path = '' as $$
    begin
      while (select closed from public.${gate}) loop
        -- named after the gate (for this transaction only), so the test finds this backend
        perform set_config('application_name', '${gate}', true);
        perform pg_sleep(0.02);
      end loop;
      if auth.uid() = '${bob.id}' then raise exception 'policy fails for bob'; end if;
      return true;
    end $$;
    grant execute on function public.${gate}_pass() to authenticated;
    create policy "owners read, through the gate" on public.${table} for select to authenticated using (public.${gate}_pass() and (select auth.uid()) = owner_id);
    drop policy "owners read their rows" on public.${table};
  `);
});

afterAll(async () => {
  await closeClients();
  await sql(`update public.${gate} set closed = false`).catch(() => {});
  await dropTable(table);
  await sql(`drop function if exists public.${gate}_pass(); drop table if exists public.${gate}`);
  await closeDb();
});

async function listen(token: string) {
  const inbox = new Inbox<{ new: { id: number } }>();
  const channel = (await client(token)).channel(`check-${Math.random()}`).on('postgres_changes', { event: 'INSERT', schema: 'public', table } as never, inbox.push);
  await subscribe(channel);
  return inbox;
}

const insert = async (owner: string) => Number((await sql<{ id: string }>(`insert into public.${table} (owner_id) values ($1) returning id`, [owner]))[0].id);

/** Waits for a backend held at the gate while checking this table, and terminates it. */
async function terminateHeldCheck(): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const [row] = await sql<{ terminated: boolean }>(
      `select pg_terminate_backend(pid) as terminated from pg_stat_activity
        where application_name = $1 limit 1`,
      [gate],
    );
    if (row?.terminated) return;
    await sleep(20);
  }
  throw new Error('no RLS check came to the gate');
}

describe('postgres_changes when an RLS check fails', () => {
  it('a check whose connection is terminated (twice) is retried: the change arrives once, later ones too', async () => {
    const inbox = await listen(alice.token);
    const first = await insert(alice.id);
    await inbox.waitFor(1);

    await sql(`update public.${gate} set closed = true`);
    const held = await insert(alice.id);
    // The batched check and the check of alice's identity alone both lose their connection.
    await terminateHeldCheck();
    await terminateHeldCheck();
    await sql(`update public.${gate} set closed = false`);
    await inbox.waitFor(2, 15_000);

    const last = await insert(alice.id);
    await inbox.waitFor(3);
    await sleep(500);
    expect(inbox.items.map((m) => m.new.id)).toEqual([first, held, last]);
  }, 60_000);

  it('a policy raising for one subscriber withholds the change from that one only, and the stream goes on', async () => {
    const forAlice = await listen(alice.token);
    const forBob = await listen(bob.token);
    const a = await insert(alice.id);
    await insert(bob.id);
    const c = await insert(alice.id);
    await forAlice.waitFor(2);
    await sleep(500);
    expect(forAlice.items.map((m) => m.new.id)).toEqual([a, c]);
    expect(forBob.items).toEqual([]);
  });
});
