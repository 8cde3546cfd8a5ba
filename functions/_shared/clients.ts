import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { unauthorized } from './errors.ts';

function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const options = { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } };

/** A client acting as the caller: every query runs under RLS with their JWT. */
export function userClient(req: Request): SupabaseClient {
  const authorization = req.headers.get('Authorization') ?? '';
  return createClient(env('SUPABASE_URL'), env('SUPABASE_ANON_KEY'), { ...options, global: { headers: { Authorization: authorization } } });
}

/** The service role client, for what no user may do themselves (admin auth calls). */
export function adminClient(): SupabaseClient {
  return createClient(env('SUPABASE_URL'), env('SUPABASE_SERVICE_ROLE_KEY'), options);
}

/** The signed-in caller, checked by Auth; anon keys and expired or revoked sessions are refused. */
export async function requireUser(client: SupabaseClient, req: Request): Promise<{ id: string; email?: string }> {
  const token = (req.headers.get('Authorization') ?? '').replace(/^Bearer\s+/i, '');
  if (!token) throw unauthorized();
  const { data, error } = await client.auth.getUser(token);
  if (error || !data.user) throw unauthorized('Sign in to upload media');
  return { id: data.user.id, email: data.user.email };
}

export function supabaseUrl(): string {
  return env('SUPABASE_URL');
}
