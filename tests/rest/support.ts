import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import pg from 'pg';
import ws from 'ws';
import { afterAll, beforeAll } from 'vitest';
import { stack } from '../support/env.js';

/** Bump when fixture.sql changes: a database holding an older version is rebuilt. */
const FIXTURE_VERSION = 13;
const FIXTURE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixture.sql'), 'utf8');

/**
 * Loads the fixture schema once per test database (test files run in parallel processes, so
 * under an advisory lock), tells the REST layer to reload its schema cache and waits until
 * the fixture is served.
 */
export async function loadFixture(): Promise<void> {
  const info = stack();
  const client = new pg.Client({ connectionString: info.dbUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query("select pg_advisory_xact_lock(hashtext('rest_test fixture'))");
    const { rows } = await client.query(
      "select to_regclass('rest_test.fixture_version') is not null as present");
    const current = rows[0].present ? (await client.query('select version from rest_test.fixture_version')).rows[0]?.version : null;
    if (current !== FIXTURE_VERSION) {
      await client.query('drop schema if exists rest_test cascade');
      await client.query(FIXTURE);
      await client.query('insert into rest_test.fixture_version values ($1)', [FIXTURE_VERSION]);
    }
    await client.query('commit');
    await client.query("notify pgrst, 'reload schema'");
  } finally {
    await client.end();
  }
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${info.apiUrl}/rest/v1/fixture_version`, { headers: { apikey: info.anonKey, 'Accept-Profile': 'rest_test' } });
    await res.text();
    if (res.status !== 404) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the REST layer never served the rest_test fixture');
}

/** supabase-js pointed at the fixture schema, as anon or with a given key/JWT. */
export function client(key = stack().anonKey, accessToken?: string): SupabaseClient<any, 'rest_test', any> {
  const info = stack();
  return createClient(info.apiUrl, key, {
    db: { schema: 'rest_test' },
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket; supabase-js builds its realtime client eagerly.
    realtime: { transport: ws as never },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {},
  }) as unknown as SupabaseClient<any, 'rest_test', any>;
}

export const serviceClient = () => client(stack().serviceRoleKey);

/** A JWT signed with the stack's secret. */
export async function jwt(claims: Record<string, unknown>, expiresIn: string | number = '1h', secret = stack().jwtSecret): Promise<string> {
  const t = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (expiresIn !== 0) t.setExpirationTime(expiresIn);
  return t.sign(new TextEncoder().encode(secret));
}

/** Raw HTTP to /rest/v1 in the fixture schema, as anon unless headers say otherwise. */
export async function rest(pathAndQuery: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const info = stack();
  const method = (init.method ?? 'GET').toUpperCase();
  const profile = method === 'GET' || method === 'HEAD' ? 'Accept-Profile' : 'Content-Profile';
  const res = await fetch(`${info.apiUrl}/rest/v1${pathAndQuery}`, {
    ...init,
    headers: { apikey: info.anonKey, [profile]: 'rest_test', ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A value no other test (or run) uses. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/** A superuser connection to the test database for this file's tests, opened before and closed after them. */
export function adminDb(): () => pg.Client {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: stack().dbUrl });
    await admin.connect();
  });
  afterAll(async () => admin?.end());
  return () => admin;
}
