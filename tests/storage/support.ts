import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import pg from 'pg';
import ws from 'ws';
import { stack } from '../support/env.js';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  client: SupabaseClient;
}

/** Connections as the superuser, to inspect what the API did. */
export async function withDb<T>(fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: stack().dbUrl });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

export function clientWith(key: string, accessToken?: string): SupabaseClient {
  const info = stack();
  return createClient(info.apiUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket; supabase-js builds its realtime client eagerly.
    realtime: { transport: ws as never },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : undefined,
  });
}

export const anonClient = () => clientWith(stack().anonKey);
export const serviceClient = () => clientWith(stack().serviceRoleKey);

/** An access token with the claims GoTrue issues for a signed-in user. */
export async function accessTokenFor(id: string, email: string, expiresIn = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: id, email, role: 'authenticated', aud: 'authenticated', app_metadata: { provider: 'email' }, user_metadata: {}, is_anonymous: false })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(stack().jwtSecret));
}

/** A user row made directly in auth.users (as tests/db helpers do), with a signed access token. */
export async function createUser(label = 'user'): Promise<TestUser> {
  const id = randomUUID();
  const email = `${label}-${id.slice(0, 8)}@storage.test`;
  await withDb((db) =>
    db.query(
      `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
       values ($1, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $2, '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())`,
      [id, email],
    ),
  );
  const token = await accessTokenFor(id, email);
  return { id, email, token, client: clientWith(stack().anonKey, token) };
}

/** A minimal valid PNG (1x1), padded to `size` bytes when asked. */
export function png(size = 0): Buffer {
  const base = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
    'hex',
  );
  return size > base.length ? Buffer.concat([base, Buffer.alloc(size - base.length)]) : base;
}

export function bytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
