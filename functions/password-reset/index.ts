// password-reset: POST {action: 'request', email} mails a single-use link
// <site_url>/reset-password?token=...; POST {action: 'confirm', token, password} sets the new
// password and ends every session of the account.
import { inBackground } from '../_shared/background.ts';
import { adminClient } from '../_shared/clients.ts';
import { notifierFromEnv } from '../_shared/notify.ts';
import { RateLimiter } from '../_shared/ratelimit.ts';
import { handlePasswordReset, type ResetDeps } from './handler.ts';

const HOUR = 60 * 60 * 1000;
const env = (name: string, fallback: string) => Deno.env.get(name) || fallback;

const deps: ResetDeps = {
  supabaseUrl: env('SUPABASE_URL', ''),
  anonKey: env('SUPABASE_ANON_KEY', ''),
  admin: adminClient(),
  notifier: notifierFromEnv(),
  siteUrl: env('SITE_URL', 'http://127.0.0.1:3000'),
  perEmail: new RateLimiter(Number(env('RESET_LIMIT_PER_EMAIL', '3')), HOUR),
  perIp: new RateLimiter(Number(env('RESET_LIMIT_PER_IP', '30')), HOUR),
  tokenMinutes: Number(env('RESET_TOKEN_MINUTES', '60')),
  background: inBackground,
};

Deno.serve((req) => handlePasswordReset(req, deps));
