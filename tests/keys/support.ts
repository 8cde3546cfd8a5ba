import { randomBytes } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY } from '../../stack/config/keys.js';

export { LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY };

export const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

const clients: SupabaseClient[] = [];

/** supabase-js as an app creates it: the project URL and one API key, nothing else (ws for realtime on Node 20). */
export function supabase(apiUrl: string, key: string): SupabaseClient {
  const c = createClient(apiUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never, reconnectAfterMs: () => 300 },
  });
  clients.push(c);
  return c;
}

export async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels().catch(() => {})));
}

/** A confirmed user made with the admin API (secret key), signed in with the publishable key's client. */
export async function signedInUser(apiUrl: string): Promise<{ client: SupabaseClient; id: string; token: string }> {
  const admin = supabase(apiUrl, LOCAL_SECRET_KEY);
  const email = `${unique('keys')}@keys.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const created = await admin.auth.admin.createUser({ email, password, email_confirm: true });
  if (created.error) throw created.error;
  const client = supabase(apiUrl, LOCAL_PUBLISHABLE_KEY);
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error || !data.session) throw error ?? new Error('no session');
  return { client, id: created.data.user.id, token: data.session.access_token };
}

/** The decoded JOSE header of a compact JWT. */
export const jwtHeader = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));

/** A 1x1 PNG (Storage checks nothing of it, the bucket's MIME list only the type). */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
