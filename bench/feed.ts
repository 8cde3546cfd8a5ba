// npm run bench:feed [-- --users 10000 --posts 1000000 --follows-per-user 50 --likes 2000000 --blocks 10000 --iterations 60]
// Seeds a throwaway stack with a generated network (COPY, indexes built after the load), then
// measures p50/p95 of feed page 1, feed page 50 by keyset and by offset, search_posts and
// search_profiles, each through SQL (as the authenticated role, one transaction per call, the way
// /rest/v1 runs it) and through /rest/v1; baselines in the same run: `select 1` and a one-row
// REST read. Goals on the 2-core dev machine: feed p95 < 20 ms at any keyset depth, search < 50 ms.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import getPort from 'get-port';
import { SignJWT } from 'jose';
import pg from 'pg';
import { generateNetwork } from '../seed/generate.js';
import { analyzeSeeded, loadNetwork } from '../seed/load.js';
import { defaultOptions } from '../seed/options.js';
import { Random } from '../seed/random.js';
import { startStack } from '../stack/stack.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    posts: { type: 'string', default: '1000000' },
    'follows-per-user': { type: 'string', default: '50' },
    likes: { type: 'string', default: '2000000' },
    comments: { type: 'string', default: '100000' },
    blocks: { type: 'string', default: '10000' },
    iterations: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
  },
});
const n = (k: keyof typeof args) => Number(args[k]);
const out = (line = '') => process.stdout.write(`${line}\n`);
const PAGE = 20;
const DEEP_PAGE = 50;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-bench-feed-'));
chmodSync(dataDir, 0o755);
const stack = await startStack({ dataDir, apiPort: await getPort(), dbPort: await getPort(), inboxPort: await getPort(), seed: false });
const admin = new pg.Client({ connectionString: stack.urls.db, application_name: 'bench-feed' });
try {
  await admin.connect();
  // 1. Seed.
  const options = defaultOptions({
    seed: n('seed'), users: n('users'), posts: n('posts'), followsPerUser: n('follows-per-user'),
    likes: n('likes'), comments: n('comments'), blocks: n('blocks'), likeNotifications: false, anchor: new Date('2026-11-26T00:00:00Z'),
  });
  let t = performance.now();
  const network = generateNetwork(options);
  const genMs = performance.now() - t;
  t = performance.now();
  const loaded = await loadNetwork(admin, network, { deferIndexes: true });
  const loadMs = performance.now() - t;
  t = performance.now();
  await analyzeSeeded(admin, true);
  const vacuumMs = performance.now() - t;
  out(`seeded ${loaded.users} users, ${loaded.posts} posts, ${loaded.follows} follows, ${loaded.likes} likes, ${loaded.comments} comments, ${loaded.blocks} blocks, ` +
    `${loaded.notifications} notifications: generate ${(genMs / 1000).toFixed(1)} s, COPY + indexes ${(loadMs / 1000).toFixed(1)} s, ` +
    `vacuum analyze ${(vacuumMs / 1000).toFixed(1)} s`);

  // 2. Who and what to ask for: deterministic samples.
  const rng = new Random(options.seed, 'bench');
  const iterations = n('iterations');
  // Every other sample user has a block (as blocker or blocked), so the block policies are in play.
  const blocks = network.blocks;
  const sampleUsers = Array.from({ length: iterations }, (_, i) => {
    if (i % 2 === 0 || blocks.count === 0) return network.users.id[rng.int(network.users.count)];
    const k = rng.int(blocks.count);
    return network.users.id[i % 4 === 1 ? blocks.a[k] : blocks.b[k]];
  });
  const words = (await admin.query<{ w: string }>(
    `select w from (select word as w, ndoc from ts_stat('select fts from public.posts where id % 50 = 0')) s
      where length(w) >= 5 and w !~ '[0-9]' order by ndoc desc limit 400`,
  )).rows.map((r) => r.w);
  const postQueries = Array.from({ length: iterations }, (_, i) =>
    i % 3 === 0 ? words[rng.int(20)] : i % 3 === 1 ? words[100 + rng.int(300)] : `${words[rng.int(50)]} ${words[50 + rng.int(350)]}`);
  const profileQueries = Array.from({ length: iterations }, (_, i) => {
    const u = network.users.count > 1 ? 1 + rng.int(network.users.count - 1) : 0;
    return i % 2 === 0 ? network.users.username[u].slice(0, 6) : network.users.displayName[u].split(' ').pop()!;
  });
  const cursors = new Map<string, { created_at: string; id: string } | null>();
  const jwts = new Map<string, string>();
  const secret = new TextEncoder().encode(stack.config.jwtSecret);
  for (const id of new Set(sampleUsers)) {
    await admin.query('begin');
    await admin.query("select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)", [JSON.stringify({ sub: id, role: 'authenticated' })]);
    const { rows } = await admin.query(`select created_at, id from public.feed(null) offset ${PAGE * (DEEP_PAGE - 1) - 1} limit 1`);
    await admin.query('commit');
    cursors.set(id, rows[0] ? { created_at: rows[0].created_at.toISOString(), id: rows[0].id } : null);
    jwts.set(id, await new SignJWT({ sub: id, role: 'authenticated', aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(secret));
  }
  const anonKey = stack.config.anonKey;

  // The block check behind every policy: both directions through an index, never a scan.
  {
    const src = (await admin.query<{ src: string }>("select prosrc as src from pg_proc where oid = 'rls.hidden_user_ids()'::regprocedure")).rows[0].src;
    // A PL/pgSQL body of one `return (<query>);`: explain that query.
    const body = /^\s*begin\s+return \(([\s\S]*)\);\s*end/.exec(src)?.[1] ?? src;
    await admin.query('begin');
    await admin.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ sub: sampleUsers[1], role: 'authenticated' })]);
    const plan = JSON.stringify((await admin.query(`explain (format json) ${body}`)).rows);
    await admin.query('commit');
    const indexes = [...new Set([...plan.matchAll(/"Index Name\\?":\s*\\?"([a-z_]+)/g)].map((m) => m[1]))].sort();
    const scans = plan.includes('Seq Scan');
    out(`block check (rls.hidden_user_ids over ${blocks.count} blocks): indexes ${indexes.join(', ') || 'none'}; ` +
      `${scans ? 'SEQUENTIAL SCAN' : 'no sequential scan'}`);
  }

  // 3. Measure. SQL: a transaction as the user, like a REST request; only the query is timed.
  const api = new pg.Client({ connectionString: `postgresql://authenticator:postgres@127.0.0.1:${stack.config.db.port}/postgres` });
  await api.connect();
  const sqlTime = async (user: string | null, text: string, values: unknown[] = []) => {
    await api.query('begin');
    await api.query("select set_config('request.jwt.claims', $1, true), set_config('role', $2, true)",
      [JSON.stringify(user ? { sub: user, role: 'authenticated' } : { role: 'anon' }), user ? 'authenticated' : 'anon']);
    const started = performance.now();
    await api.query(text, values);
    const ms = performance.now() - started;
    await api.query('commit');
    return ms;
  };
  const restTime = async (user: string | null, p: string, body?: unknown, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const res = await fetch(`${stack.urls.api}/rest/v1/${p}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { apikey: anonKey, Authorization: `Bearer ${user ? jwts.get(user) : anonKey}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`${p}: ${res.status}`);
    return performance.now() - started;
  };

  type Case = { name: string; sql: (i: number) => Promise<number>; rest: (i: number) => Promise<number> };
  const embed = 'select=*,author:profiles(*),liked_by_me';
  const cases: Case[] = [
    { name: 'baseline (select 1 / one-row read)', sql: () => sqlTime(null, 'select 1'), rest: () => restTime(null, 'profiles?select=id&limit=1') },
    {
      name: 'feed page 1', sql: (i) => sqlTime(sampleUsers[i], `select * from public.feed(${PAGE})`),
      rest: (i) => restTime(sampleUsers[i], `rpc/feed?${embed}`, {}),
    },
    {
      name: `feed page ${DEEP_PAGE}, keyset`,
      sql: (i) => {
        const c = cursors.get(sampleUsers[i]);
        return sqlTime(sampleUsers[i], 'select * from public.feed($1, $2, $3)', [PAGE, c?.created_at ?? null, c?.id ?? null]);
      },
      rest: (i) => {
        const c = cursors.get(sampleUsers[i]);
        return restTime(sampleUsers[i], `rpc/feed?${embed}`, { page_size: PAGE, before_created_at: c?.created_at ?? null, before_id: c?.id ?? null });
      },
    },
    {
      name: `feed page ${DEEP_PAGE}, offset + exact count`,
      sql: (i) => sqlTime(sampleUsers[i], `select *, count(*) over () from public.feed(null) limit ${PAGE} offset ${PAGE * (DEEP_PAGE - 1)}`),
      rest: (i) => restTime(sampleUsers[i], `rpc/feed?${embed}`, { page_size: null },
        { Prefer: 'count=exact', 'Range-Unit': 'items', Range: `${PAGE * (DEEP_PAGE - 1)}-${PAGE * DEEP_PAGE - 1}` }),
    },
    {
      name: 'search_posts (top 20)', sql: (i) => sqlTime(null, 'select * from public.search_posts($1) limit 20', [postQueries[i]]),
      rest: (i) => restTime(null, 'rpc/search_posts?select=*,author:profiles(username)&limit=20', { query: postQueries[i] }),
    },
    {
      name: 'search_profiles (top 20)', sql: (i) => sqlTime(null, 'select * from public.search_profiles($1) limit 20', [profileQueries[i]]),
      rest: (i) => restTime(null, 'rpc/search_profiles?limit=20', { query: profileQueries[i] }),
    },
  ];

  const results: Array<{ name: string; via: string; p50: number; p95: number }> = [];
  for (const c of cases) {
    for (const via of ['SQL', 'REST'] as const) {
      const run = via === 'SQL' ? c.sql : c.rest;
      for (let i = 0; i < 3; i++) await run(i); // warm the caches and connections
      const times: number[] = [];
      for (let i = 0; i < iterations; i++) times.push(await run(i));
      results.push({ name: c.name, via, p50: pct(times, 50), p95: pct(times, 95) });
    }
  }
  await api.end();

  out();
  out(`${'case'.padEnd(40)} ${'via'.padEnd(5)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p50/baseline'.padStart(13)}`);
  for (const r of results) {
    const base = results.find((b) => b.via === r.via)!.p50;
    out(`${r.name.padEnd(40)} ${r.via.padEnd(5)} ${r.p50.toFixed(2).padStart(8)} ${r.p95.toFixed(2).padStart(8)} ${(r.p50 / base).toFixed(1).padStart(12)}x`);
  }
  const verdict = (name: string, goal: number) => {
    const r = results.find((x) => x.name.startsWith(name) && x.via === 'SQL')!;
    return `${name}: SQL p95 ${r.p95.toFixed(1)} ms (goal < ${goal} ms) ${r.p95 < goal ? 'met' : 'MISSED'}`;
  };
  out();
  out(verdict('feed page 1', 20));
  out(verdict(`feed page ${DEEP_PAGE}, keyset`, 20));
  out(verdict('search_posts', 50));
  out(verdict('search_profiles', 50));
} finally {
  await admin.end().catch(() => {});
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
