import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { preflight } from '../_shared/cors.ts';
import { badRequest, errorResponse, HttpError, json, methodNotAllowed, tooManyRequests } from '../_shared/errors.ts';
import type { Notifier } from '../_shared/notify.ts';
import type { RateLimiter } from '../_shared/ratelimit.ts';
import { issues, passwordResetSchema } from '../_shared/schemas.ts';
import { resetEmail, resetLink } from './email.ts';
import { passwordProblems } from './policy.ts';

export interface ResetDeps {
  supabaseUrl: string;
  anonKey: string;
  admin: SupabaseClient;
  notifier: Notifier;
  siteUrl: string;
  perEmail: RateLimiter;
  perIp: RateLimiter;
  /** Auth's OTP lifetime in minutes, for the mail's wording. */
  tokenMinutes: number;
  /** Work that may finish after the response (EdgeRuntime.waitUntil). */
  background: (work: Promise<unknown>) => void;
}

export const REQUEST_ACCEPTED = 'If an account exists for that email, a link to reset its password has been sent.';

/** The caller's address as our gateway saw it: the last X-Forwarded-For entry is the one it added. */
function clientIp(req: Request): string {
  const hops = (req.headers.get('x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return hops.at(-1) ?? 'unknown';
}

function limited(retryAfter: number): HttpError {
  const err = tooManyRequests('Too many password reset requests; try again later');
  (err as HttpError & { retryAfter?: number }).retryAfter = retryAfter;
  return err;
}

/**
 * Asks Auth for a recovery token (GoTrue's own single-use, expiring token, through the admin
 * API, which sends no mail) and mails our link with it. Unknown addresses get no mail.
 */
async function sendResetMail(email: string, deps: ResetDeps): Promise<void> {
  const { data, error } = await deps.admin.auth.admin.generateLink({ type: 'recovery', email });
  if (error || !data.properties?.hashed_token) {
    if (error?.status !== 404) console.error(JSON.stringify({ level: 'error', event: 'reset_link_failed', message: error?.message ?? 'no token' }));
    return;
  }
  const link = resetLink(deps.siteUrl, data.properties.hashed_token);
  await deps.notifier.send(resetEmail(email, link, deps.tokenMinutes));
}

async function request(email: string, req: Request, deps: ResetDeps): Promise<Response> {
  for (const check of [deps.perIp.hit(`ip:${clientIp(req)}`), deps.perEmail.hit(`email:${email}`)]) {
    if (!check.allowed) throw limited(check.retryAfter);
  }
  // The same answer, at once, whether or not the account exists: the work happens afterwards.
  deps.background(sendResetMail(email, deps).catch((err) => {
    console.error(JSON.stringify({ level: 'error', event: 'reset_mail_failed', message: err instanceof Error ? err.message : String(err) }));
  }));
  return json({ message: REQUEST_ACCEPTED });
}

async function confirm(token: string, password: string, deps: ResetDeps): Promise<Response> {
  const problems = passwordProblems(password);
  if (problems.length) throw new HttpError(422, 'weak_password', `The password needs ${problems.join(', ')}`, { reasons: problems });
  // A client of its own: the recovery session lives only for this request.
  const client = createClient(deps.supabaseUrl, deps.anonKey, { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });
  const verified = await client.auth.verifyOtp({ token_hash: token, type: 'recovery' });
  if (verified.error || !verified.data.session) {
    throw new HttpError(400, 'invalid_token', 'This reset link is invalid, expired or already used; ask for a new one');
  }
  const updated = await client.auth.updateUser({ password });
  if (updated.error) {
    throw new HttpError(422, updated.error.code ?? 'weak_password', updated.error.message);
  }
  // Every session of the account ends, the one this link opened included.
  const out = await client.auth.signOut({ scope: 'global' });
  if (out.error) throw new HttpError(500, 'signout_failed', out.error.message);
  console.log(JSON.stringify({ level: 'info', event: 'password_reset', user_id: verified.data.user?.id }));
  return json({ message: 'Your password has been changed; sign in with the new one.' });
}

/** POST {action: 'request', email} | {action: 'confirm', token, password}. */
export async function handlePasswordReset(req: Request, deps: ResetDeps): Promise<Response> {
  const early = preflight(req);
  if (early) return early;
  try {
    if (req.method !== 'POST') throw methodNotAllowed();
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      throw badRequest('Send a JSON body');
    }
    const parsed = passwordResetSchema.safeParse(body);
    if (!parsed.success) throw badRequest('Invalid request', issues(parsed.error));
    const input = parsed.data;
    return input.action === 'request' ? await request(input.email, req, deps) : await confirm(input.token, input.password, deps);
  } catch (err) {
    const res = errorResponse(err);
    const retryAfter = (err as { retryAfter?: number }).retryAfter;
    if (retryAfter) res.headers.set('Retry-After', String(retryAfter));
    return res;
  }
}
