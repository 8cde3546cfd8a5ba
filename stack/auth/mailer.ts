import type { MailSender } from '../mail/sender.js';
import type { Tx } from './db.js';
import { tooManyRequests, unexpected } from './errors.js';
import { generateOtp, saveOneTimeToken, tokenHash, type OneTimeTokenType } from './otp.js';
import type { EmailLimiter } from './ratelimit.js';
import type { AuthSettings, EmailKind } from './settings.js';
import type { UserRow } from './users.js';
import { withFlowPrefix, type PkceParams } from './pkce.js';

/** The `type` a link carries to /verify. */
export type VerificationType = 'signup' | 'invite' | 'recovery' | 'magiclink' | 'email_change';

export interface MailerDeps {
  settings: AuthSettings;
  mail: MailSender;
  emailLimiter: EmailLimiter;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[ch]!);

/** Fills GoTrue's template variables ({{ .ConfirmationURL }}, {{ .Token }}, {{ .Data.key }}, ...). */
export function renderTemplate(template: string, vars: Record<string, string>, data: Record<string, unknown>): string {
  return template.replace(/\{\{\s*\.(\w+)(?:\.(\w+))?\s*\}\}/g, (whole, name: string, key?: string) => {
    if (name === 'Data') return key !== undefined && data[key] !== undefined && data[key] !== null ? escapeHtml(String(data[key])) : '';
    return name in vars ? escapeHtml(vars[name]) : whole;
  });
}

export function actionLink(settings: AuthSettings, hash: string, type: VerificationType, redirectTo: string): string {
  return `${settings.externalUrl}/verify?token=${hash}&type=${type}&redirect_to=${encodeURIComponent(redirectTo)}`;
}

/** GoTrue's generateFrequencyLimitErrorMessage, as a 429. */
export function enforceMaxFrequency(settings: AuthSettings, sentAt: Date | null): void {
  if (!sentAt) return;
  const waitMs = sentAt.getTime() + settings.maxFrequencySeconds * 1000 - Date.now();
  if (waitMs > 0) {
    throw tooManyRequests('over_email_send_rate_limit', `For security purposes, you can only request this after ${Math.floor(waitMs / 1000)} seconds.`);
  }
}

interface PreparedToken {
  otp: string;
  hash: string;
}

const COLUMNS: Record<'confirmation' | 'recovery', { token: string; sentAt: string; ott: OneTimeTokenType }> = {
  confirmation: { token: 'confirmation_token', sentAt: 'confirmation_sent_at', ott: 'confirmation_token' },
  recovery: { token: 'recovery_token', sentAt: 'recovery_sent_at', ott: 'recovery_token' },
};

/** A fresh code for the user, stored hashed in the user's column and in auth.one_time_tokens. */
export async function prepareToken(
  tx: Tx,
  settings: AuthSettings,
  user: UserRow,
  column: 'confirmation' | 'recovery',
  invite = false,
  pkce: PkceParams | null = null,
): Promise<PreparedToken> {
  const email = (user.email ?? '').toLowerCase();
  const otp = generateOtp(settings.otpLength);
  const hash = withFlowPrefix(tokenHash(email, otp), pkce);
  const c = COLUMNS[column];
  await tx.query(
    `update auth.users set ${c.token} = $2, ${c.sentAt} = now()${invite ? ', invited_at = now()' : ''}, updated_at = now() where id = $1`,
    [user.id, hash],
  );
  await saveOneTimeToken(tx, user.id, c.ott, hash, email);
  return { otp, hash };
}

async function deliver(deps: MailerDeps, kind: EmailKind, to: string, vars: Record<string, string>, data: Record<string, unknown>): Promise<void> {
  deps.emailLimiter.take();
  const template = deps.settings.templates[kind];
  try {
    await deps.mail.send({
      kind,
      to,
      subject: renderTemplate(template.subject, vars, data),
      html: renderTemplate(template.content, vars, data),
    });
  } catch (err) {
    const what = kind === 'magic_link' ? 'magic link' : kind === 'email_change' ? 'email change' : kind;
    throw Object.assign(unexpected(`Error sending ${what} email`), { cause: err });
  }
}

function baseVars(settings: AuthSettings, user: UserRow, redirectTo: string): Record<string, string> {
  return { SiteURL: settings.siteUrl, Email: user.email ?? '', RedirectTo: redirectTo };
}

/** sendConfirmation / sendInvite / sendRecovery / sendMagicLink: one code, one mail. */
export async function sendVerificationMail(
  tx: Tx,
  deps: MailerDeps,
  user: UserRow,
  type: 'signup' | 'invite' | 'recovery' | 'magiclink',
  redirectTo: string,
  pkce: PkceParams | null = null,
): Promise<void> {
  const column = type === 'signup' || type === 'invite' ? 'confirmation' : 'recovery';
  // sendInvite has no max_frequency check: an admin may re-invite at once.
  if (type !== 'invite') enforceMaxFrequency(deps.settings, column === 'confirmation' ? user.confirmation_sent_at : user.recovery_sent_at);
  const { otp, hash } = await prepareToken(tx, deps.settings, user, column, type === 'invite', pkce);
  const kind: EmailKind = type === 'signup' ? 'confirmation' : type === 'magiclink' ? 'magic_link' : type;
  await deliver(
    deps,
    kind,
    user.email ?? '',
    { ...baseVars(deps.settings, user, redirectTo), ConfirmationURL: actionLink(deps.settings, hash, type, redirectTo), Token: otp, TokenHash: hash },
    user.raw_user_meta_data ?? {},
  );
}

/**
 * sendEmailChange: a code for the new address, and with double_confirm_changes a second one for
 * the current address; each address gets its own mail.
 */
export async function sendEmailChangeMail(
  tx: Tx,
  deps: MailerDeps,
  user: UserRow,
  newEmail: string,
  redirectTo: string,
  pkce: PkceParams | null = null,
): Promise<void> {
  const { settings } = deps;
  enforceMaxFrequency(settings, user.email_change_sent_at);
  const current = (user.email ?? '').toLowerCase();
  const otpNew = generateOtp(settings.otpLength);
  const hashNew = withFlowPrefix(tokenHash(newEmail, otpNew), pkce);
  const both = settings.secureEmailChange && current !== '';
  const otpCurrent = both ? generateOtp(settings.otpLength) : '';
  const hashCurrent = both ? withFlowPrefix(tokenHash(current, otpCurrent), pkce) : '';
  await tx.query(
    `update auth.users set email_change = $2, email_change_token_new = $3, email_change_token_current = $4,
            email_change_confirm_status = 0, email_change_sent_at = now(), updated_at = now()
      where id = $1`,
    [user.id, newEmail, hashNew, hashCurrent],
  );
  await saveOneTimeToken(tx, user.id, 'email_change_token_new', hashNew, newEmail);
  if (both) await saveOneTimeToken(tx, user.id, 'email_change_token_current', hashCurrent, current);
  const data = user.raw_user_meta_data ?? {};
  const vars = { ...baseVars(settings, user, redirectTo), NewEmail: newEmail };
  await deliver(deps, 'email_change', newEmail, { ...vars, ConfirmationURL: actionLink(settings, hashNew, 'email_change', redirectTo), Token: otpNew, TokenHash: hashNew }, data);
  if (both) {
    await deliver(deps, 'email_change', current, { ...vars, ConfirmationURL: actionLink(settings, hashCurrent, 'email_change', redirectTo), Token: otpCurrent, TokenHash: hashCurrent }, data);
  }
}

/** sendReauthenticationOtp: a code for the signed-in user to prove themselves again (the nonce). */
export async function sendReauthenticationMail(tx: Tx, deps: MailerDeps, user: UserRow): Promise<void> {
  const { settings } = deps;
  enforceMaxFrequency(settings, user.reauthentication_sent_at);
  const email = (user.email ?? '').toLowerCase();
  const otp = generateOtp(settings.otpLength);
  const hash = tokenHash(email, otp);
  await tx.query('update auth.users set reauthentication_token = $2, reauthentication_sent_at = now() where id = $1', [user.id, hash]);
  await saveOneTimeToken(tx, user.id, 'reauthentication_token', hash, email);
  await deliver(deps, 'reauthentication', user.email ?? '', { ...baseVars(settings, user, settings.siteUrl), Token: otp, TokenHash: hash }, user.raw_user_meta_data ?? {});
}
