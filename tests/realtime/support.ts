import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import pg from 'pg';
import WebSocket from 'ws';
import { stack } from '../support/env.js';

// Helpers for the realtime suites: users and their JWTs, supabase-js clients over `ws` (Node 20
// has no global WebSocket), scratch tables in the publication, and waiting for messages.

export const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

let admin: pg.Pool | null = null;
export function db(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: stack().dbUrl, max: 2 });
  return admin;
}

export async function closeDb(): Promise<void> {
  await admin?.end();
  admin = null;
}

export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await db().query<T>(text, params)).rows;
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

export async function signToken(claims: Record<string, unknown>, expiresInSeconds = 3600, secret = stack().jwtSecret): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: 'authenticated', role: 'authenticated', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** A confirmed user in auth.users (as GoTrue would store it) and a JWT as GoTrue would sign it. */
export async function createUser(label: string, expiresInSeconds = 3600): Promise<TestUser> {
  const id = randomUUID();
  const email = `${unique(label)}@realtime.test`;
  await sql(
    `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
     values ($1, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $2, '', now(),
             '{"provider":"email","providers":["email"]}', '{}', now(), now())`,
    [id, email],
  );
  return { id, email, token: await tokenFor({ id, email }, expiresInSeconds) };
}

export const tokenFor = (user: { id: string; email: string }, expiresInSeconds = 3600) =>
  signToken({ sub: user.id, email: user.email, session_id: randomUUID(), app_metadata: { provider: 'email' } }, expiresInSeconds);

const clients: SupabaseClient[] = [];

/**
 * A supabase-js client for the test stack, acting with `token` (the anon key when omitted).
 * The token is handed to realtime before returning: a channel joined earlier would join as anon.
 */
export async function client(token?: string, options: { vsn?: string; heartbeatIntervalMs?: number; apiUrl?: string; anonKey?: string } = {}): Promise<SupabaseClient> {
  const info = stack();
  const c = createClient(options.apiUrl ?? info.apiUrl, options.anonKey ?? info.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: {
      transport: WebSocket as never,
      ...(options.vsn ? { vsn: options.vsn } : {}),
      ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
      reconnectAfterMs: () => 300,
    },
    ...(token ? { accessToken: async () => token } : {}),
  });
  clients.push(c);
  if (token) await c.realtime.setAuth(token);
  return c;
}

export async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels().catch(() => {})));
}

/** Subscribes and waits for SUBSCRIBED; rejects with the server's reason otherwise. */
export function subscribe(channel: RealtimeChannel, timeoutMs = 10_000): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('subscribe timed out')), timeoutMs);
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer);
        resolve(channel);
      } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
        clearTimeout(timer);
        reject(err ?? new Error(status));
      }
    });
  });
}

/** Collects what a callback receives, with a way to wait for a count. */
export class Inbox<T = any> {
  readonly items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  readonly push = (item: T) => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => (this.items.length >= w.n ? (w.resolve(), false) : true));
  };

  async waitFor(n: number, timeoutMs = 8_000): Promise<T[]> {
    if (this.items.length >= n) return this.items;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${n} messages, got ${this.items.length}: ${JSON.stringify(this.items)}`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
    return this.items;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A scratch table in public, in the supabase_realtime publication, with RLS on and the usual
 * grants: owner_id decides who may read a row.
 */
export async function ownedTable(prefix = 'rt'): Promise<string> {
  const name = unique(prefix);
  await sql(`
    create table public.${name} (
      id bigint generated always as identity primary key,
      owner_id uuid not null,
      body text not null default '',
      score int not null default 0,
      meta jsonb,
      created_at timestamptz not null default now()
    );
    alter table public.${name} enable row level security;
    create policy "owners read their rows" on public.${name} for select to authenticated using ((select auth.uid()) = owner_id);
    grant select on public.${name} to anon, authenticated;
    grant all on public.${name} to service_role;
    alter publication supabase_realtime add table public.${name};
  `);
  return name;
}

export async function dropTable(name: string): Promise<void> {
  await sql(`drop table if exists public.${name}`);
}

export interface RawSocket {
  ws: WebSocket;
  frames: Inbox<{ join_ref: string | null; ref: string | null; topic: string; event: string; payload: any }>;
  send(joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** A bare Phoenix 2.0.0 (JSON array) socket, for what supabase-js would never send. */
export async function rawSocket(apikey = stack().anonKey, vsn = '2.0.0'): Promise<RawSocket> {
  const url = `${stack().apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${encodeURIComponent(apikey)}&vsn=${vsn}`;
  const ws = new WebSocket(url);
  const frames = new Inbox<any>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) return frames.push({ binary: data });
    const parsed = JSON.parse(String(data));
    frames.push(Array.isArray(parsed) ? { join_ref: parsed[0], ref: parsed[1], topic: parsed[2], event: parsed[3], payload: parsed[4] } : parsed);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return {
    ws,
    frames,
    send: (joinRef, ref, topic, event, payload) => ws.send(JSON.stringify([joinRef, ref, topic, event, payload])),
    closed,
  };
}

/** Waits for the first frame matching `pred`. */
export async function frameWhere(socket: RawSocket, pred: (f: any) => boolean, timeoutMs = 5_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = socket.frames.items.find(pred);
    if (hit) return hit;
    await sleep(20);
  }
  throw new Error(`no matching frame; got ${JSON.stringify(socket.frames.items).slice(0, 2000)}`);
}
