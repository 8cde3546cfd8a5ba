import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { audit } from './audit.js';
import { transaction } from './db.js';
import type { AuthDeps } from './deps.js';
import { unprocessable } from './errors.js';
import { sendVerificationMail } from './mailer.js';
import { checkPasswordStrength, hashPassword } from './password.js';
import { referrer } from './redirect.js';
import { clientInfo, rateLimitKey, obj, readJson, str, validateEmail } from './request.js';
import { issueSession } from './sessions.js';
import { confirmUser, findUserByEmail, identitiesOf, insertAnonymousUser, insertUser, mergeUserMetaData, userJson, type UserRow } from './users.js';

/**
 * What GoTrue answers when confirmations are on and the email already belongs to a confirmed
 * user: a plausible unconfirmed user, so sign-up cannot be used to discover accounts.
 */
function obfuscatedUser(email: string, data: Record<string, unknown>) {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email,
    phone: '',
    confirmation_sent_at: now,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

/** POST /signup (email + password; `data` becomes raw_user_meta_data). */
export async function signup(c: Context, deps: AuthDeps): Promise<Response> {
  const { settings } = deps;
  const body = await readJson(c);
  const rawEmail = str(body, 'email');
  const phone = str(body, 'phone');
  const password = str(body, 'password');
  const data = obj(body, 'data') ?? {};
  if (!rawEmail && !phone) {
    if (!settings.anonymousSignIns) throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
    deps.limits.anonymous.take(rateLimitKey(c));
    if (!settings.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
    const session = await transaction(deps.db, async (tx) => {
      const user = await insertAnonymousUser(tx, data);
      await audit(tx, user, 'user_signedup', clientInfo(c).ip, { provider: 'anonymous' });
      return issueSession(tx, settings, user.id, 'anonymous', clientInfo(c));
    });
    return c.json(session);
  }
  deps.limits.otp.take(rateLimitKey(c));
  if (!settings.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
  if (phone && !rawEmail) throw unprocessable('phone_provider_disabled', 'Phone signups are disabled');
  if (!settings.emailEnabled) throw unprocessable('email_provider_disabled', 'Email signups are disabled');
  const email = validateEmail(rawEmail);
  if (!password) throw unprocessable('validation_failed', 'Signup requires a valid password');
  const weak = checkPasswordStrength(password, settings);
  if (weak) throw weak;
  const redirectTo = referrer(settings, c.req.query('redirect_to') ?? null, c.req.header('referer'));
  const encrypted = await hashPassword(password);

  const result = await transaction(deps.db, async (tx) => {
    let user: UserRow | null = await findUserByEmail(tx, email);
    if (user?.email_confirmed_at) {
      if (settings.autoconfirm) throw unprocessable('user_already_exists', 'User already registered');
      return { json: obfuscatedUser(email, data) };
    }
    if (user) {
      // An unconfirmed sign-up may be repeated: new password and metadata, a new confirmation.
      await tx.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [user.id, encrypted]);
      await mergeUserMetaData(tx, user.id, data);
    } else {
      user = await insertUser(tx, { email, encryptedPassword: encrypted, userMetaData: data });
    }
    const ip = clientInfo(c).ip;
    if (settings.autoconfirm) {
      await audit(tx, user, 'user_signedup', ip, { provider: 'email' });
      await confirmUser(tx, user.id);
      return { json: await issueSession(tx, settings, user.id, 'password', clientInfo(c)) };
    }
    const fresh = (await tx.query<UserRow>('select * from auth.users where id = $1', [user.id])).rows[0];
    await audit(tx, fresh, 'user_confirmation_requested', ip, { provider: 'email' });
    await sendVerificationMail(tx, deps, fresh, 'signup', redirectTo);
    const sent = (await tx.query<UserRow>('select * from auth.users where id = $1', [user.id])).rows[0];
    return { json: userJson(sent, await identitiesOf(tx, user.id)) };
  });
  return c.json(result.json);
}
