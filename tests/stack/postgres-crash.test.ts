import { chmodSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import getPort from 'get-port';
import pg from 'pg';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackError } from '../../stack/errors.js';
import { log } from '../../stack/log.js';
import { startStack, type RunningStack } from '../../stack/stack.js';
import { client, closeClients, Inbox, sleep } from '../realtime/support.js';

// A stack of its own (temp data dir, own ports): its postmaster is killed with SIGKILL while a
// client writes, which must never touch the shared test stack.

let dataDir: string;
let running: RunningStack;
let db: pg.Pool;
const failures: StackError[] = [];

beforeAll(async () => {
  // Connections dying under the pools is the point here; their warnings are expected noise.
  log.level = 'silent';
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-pg-crash-'));
  chmodSync(dataDir, 0o755);
  running = await startStack({
    dataDir, apiPort: await getPort(), dbPort: await getPort(), inboxPort: await getPort(), smtpPort: await getPort(), seed: false,
    onDatabaseFailed: (err) => failures.push(err),
  });
  db = new pg.Pool({ connectionString: running.urls.db, max: 2 });
  db.on('error', () => {});
  // The writer posts as fast as it can: the app's write rate limits would stop it first.
  await db.query('update public.rate_limits set max_count = 1000000');
}, 120_000);

afterAll(async () => {
  await closeClients();
  await db?.end().catch(() => {});
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sql = async (text: string, params: unknown[] = []) => (await db.query(text, params)).rows;

async function user() {
  const id = randomUUID();
  const email = `crash-${id.slice(0, 8)}@stack.test`;
  await sql(
    `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ($1, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $2, '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())`,
    [id, email],
  );
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: id, email, role: 'authenticated', aud: 'authenticated', session_id: randomUUID(), app_metadata: { provider: 'email' } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now).setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(running.config.jwtSecret));
  return { id, token };
}

async function health(): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`${running.urls.api}/health`);
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

/**
 * Writes posts and likes through REST as fast as it gets answers, keeping what was acknowledged
 * (2xx) and every error body; `stop()` ends it.
 */
function writer(token: string) {
  const acknowledgedPosts: number[] = [];
  const acknowledgedLikes: number[] = [];
  const errorBodies: string[] = [];
  let stopped = false;
  const rest = (p: string, body: unknown) => fetch(`${running.urls.api}/rest/v1/${p}`, {
    method: 'POST',
    headers: { apikey: running.config.anonKey, Authorization: `Bearer ${token}`, 'content-type': 'application/json', Prefer: 'return=representation' },
    body: JSON.stringify(body),
  });
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      try {
        const res = await rest('posts', { content: `post ${i}` });
        const text = await res.text();
        if (res.status !== 201) {
          errorBodies.push(text);
          await sleep(50);
          continue;
        }
        const id = (JSON.parse(text) as Array<{ id: number }>)[0].id;
        acknowledgedPosts.push(id);
        const like = await rest('likes', { post_id: id });
        if (like.status === 201) acknowledgedLikes.push(id);
        else errorBodies.push(await like.text());
      } catch (err) {
        errorBodies.push(String(err));
        await sleep(50);
      }
    }
  })();
  return { acknowledgedPosts, acknowledgedLikes, errorBodies, stop: async () => { stopped = true; await done; } };
}

describe('a crashed postmaster is restarted and the stack recovers', () => {
  it('kill -9 of the postmaster under writes, twice: /health 503 then 200, every acknowledged row and counter kept, realtime changes exactly once', async () => {
    const author = await user();
    const c = await client(author.token, { apiUrl: running.urls.api, anonKey: running.config.anonKey });
    const changes = new Inbox<{ new: { id: number } }>();
    const joined = new Inbox();
    c.channel('crash-posts')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'posts', filter: `author_id=eq.${author.id}` }, changes.push)
      .on('system', {}, (m: { extension: string; status: string }) => m.extension === 'postgres_changes' && m.status === 'ok' && joined.push(m))
      .subscribe();
    await joined.waitFor(1, 20_000);
    const socketWas = c.realtime.isConnected();

    for (const round of [1, 2]) {
      const w = writer(author.token);
      while (w.acknowledgedPosts.length < 5) await sleep(20);
      const pid = running.cluster.pid!;
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      let sawDown = false;
      let upAfterMs = -1;
      const healthBodies: string[] = [];
      while (Date.now() - killedAt < 60_000) {
        const h = await health();
        if (h.status !== 200) {
          sawDown = true;
          healthBodies.push(h.body);
        } else if (sawDown) {
          upAfterMs = Date.now() - killedAt;
          break;
        }
        await sleep(100);
      }
      console.log(`round ${round}: /health 200 again ${upAfterMs} ms after kill -9 of the postmaster`);
      expect(sawDown).toBe(true);
      expect(upAfterMs).toBeGreaterThan(0);
      expect(running.cluster.pid).not.toBe(pid);
      // Writes go through again after the restart.
      const before = w.acknowledgedPosts.length;
      const deadline = Date.now() + 20_000;
      while (w.acknowledgedPosts.length < before + 5 && Date.now() < deadline) await sleep(50);
      await w.stop();
      expect(w.acknowledgedPosts.length).toBeGreaterThanOrEqual(before + 5);
      expect(w.errorBodies.length + healthBodies.length).toBeGreaterThan(0);
      // No error body hands out where the database lives.
      for (const body of [...w.errorBodies, ...healthBodies]) {
        expect(body).not.toContain(dataDir);
        expect(body).not.toMatch(/\.s\.PGSQL|\/tmp\//);
      }

      const rows = await sql('select id from public.posts where author_id = $1', [author.id]);
      const stored = new Set(rows.map((r) => Number(r.id)));
      expect(w.acknowledgedPosts.filter((id) => !stored.has(id))).toEqual([]);
      const likes = new Set((await sql('select post_id from public.likes where user_id = $1', [author.id])).map((r) => Number(r.post_id)));
      expect(w.acknowledgedLikes.filter((id) => !likes.has(id))).toEqual([]);
      const [counts] = await sql(
        `select p.posts_count, (select count(*)::int from public.posts where author_id = p.id) as posts,
                (select count(*)::int from public.posts where author_id = p.id and like_count <> (select count(*) from public.likes l where l.post_id = posts.id)) as wrong_like_counts
           from public.profiles p where p.id = $1`,
        [author.id],
      );
      expect(counts.posts_count).toBe(counts.posts);
      expect(counts.wrong_like_counts).toBe(0);

      // Every stored post reaches the subscriber, once: replayed changes are not sent again.
      await changes.waitFor(stored.size, 20_000);
      await sleep(1_000);
      const received = changes.items.map((m) => Number(m.new.id));
      expect(received.length).toBe(new Set(received).size);
      expect([...stored].filter((id) => !received.includes(id))).toEqual([]);
      expect(received.filter((id) => !stored.has(id))).toEqual([]);
    }
    expect(socketWas).toBe(true);
    expect(failures).toEqual([]);
  }, 240_000);

  it('a backend busy in a long statement does not hold the restart back: the dead postmaster\'s orphans are cleared', async () => {
    const busy = new pg.Client({ connectionString: running.urls.db });
    busy.on('error', () => {});
    await busy.connect();
    // minutes of pure computation: a backend in it does not look for its postmaster until it ends
    const endless = busy.query('select count(*) from generate_series(1, 10000000000)').catch(() => null);
    await sleep(300);
    const pid = running.cluster.pid!;
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    let upAfterMs = -1;
    while (Date.now() - killedAt < 30_000) {
      if ((await health()).status === 200 && running.cluster.pid !== pid) {
        upAfterMs = Date.now() - killedAt;
        break;
      }
      await sleep(100);
    }
    console.log(`with a busy orphan: /health 200 again ${upAfterMs} ms after kill -9 of the postmaster`);
    expect(upAfterMs).toBeGreaterThan(0);
    await endless;
    await busy.end().catch(() => {});
    expect(failures).toEqual([]);
  }, 60_000);

  it('a backend killed alone is recovered by Postgres itself; the stack keeps its postmaster', async () => {
    const pid = running.cluster.pid;
    const victim = new pg.Client({ connectionString: running.urls.db });
    victim.on('error', () => {});
    await victim.connect();
    const [{ backend }] = (await victim.query('select pg_backend_pid() as backend')).rows;
    process.kill(backend, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = (await health()).status === 200 && (await sql('select 1 as one').catch(() => []))[0]?.one === 1;
      if (!ok) await sleep(200);
    }
    expect(ok).toBe(true);
    expect(running.cluster.pid).toBe(pid);
    await victim.end().catch(() => {});
  }, 60_000);

  it('a data folder that cannot be started again is reported clearly and the stack stops', async () => {
    // Without pg_control no server can start from this folder: the restart is refused for good.
    unlinkSync(path.join(running.cluster.options.dataDir, 'global', 'pg_control'));
    process.kill(running.cluster.pid!, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    while (!failures.length && Date.now() < deadline) await sleep(100);
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toMatch(/^Postgres exited \(killed by SIGKILL\) and could not be restarted: /);
    expect(failures[0].message).toMatch(/pg_control/);
    expect(running.supervisor.status).toBe('failed');
    // The stack stopped itself: nothing answers on its port any more.
    await expect(fetch(`${running.urls.api}/health`)).rejects.toThrow();
  }, 90_000);
});
