import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { audit } from './audit.js';
import { transaction } from './db.js';
import type { AuthDeps } from './deps.js';
import { badRequest, unprocessable, MESSAGES } from './errors.js';
import { sendVerificationMail } from './mailer.js';
import { checkPasswordStrength, hashPassword } from './password.js';
import { referrer } from './redirect.js';
import { clientInfo, rateLimitKey, obj, readJson, str, validateEmail } from './request.js';
import { pkceParams, startFlow } from './pkce.js';
import { issueSession } from './sessions.js';
import { confirmUser, findUserByEmail, findUserById, identitiesOf, insertAnonymousUser, insertUser, userJson, type UserRow } from './users.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, errors, pkce, emailPassword } from './openapi.js';

/**
 * GoTrue's sanitizeUser: what sign-up answers when confirmations are on and the email already
 * belongs to a confirmed user, a plausible new unconfirmed user (fresh id, no role, no identity,
 * the request's data), so sign-up cannot be used to discover accounts.
 */
function obfuscatedUser(user: UserRow, data: Record<string, unknown>) {
  const now = new Date();
  return userJson(
    {
      ...user,
      id: randomUUID(),
      role: '',
      email_change: '',
      created_at: now,
      updated_at: now,
      confirmation_sent_at: now,
      last_sign_in_at: null,
      confirmed_at: null,
      email_change_sent_at: null,
      email_confirmed_at: null,
      phone: '',
      phone_confirmed_at: null,
      raw_app_meta_data: { provider: 'email', providers: ['email'] },
      raw_user_meta_data: data,
    },
    [],
  );
}

/** POST /signup (email + password; `data` becomes raw_user_meta_data). */
export async function signup(c: Context, deps: AuthDeps): Promise<Response> {
  const { settings } = deps;
  const body = await readJson(c);
  const rawEmail = str(body, 'email');
  const phone = str(body, 'phone');
  const password = str(body, 'password');
  const data = obj(body, 'data') ?? {};
  const pkce = pkceParams(body);
  if (!rawEmail && !phone) {
    if (!settings.anonymousSignIns) throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
    deps.limits.anonymous.take(rateLimitKey(c));
    if (!settings.enableSignup) throw unprocessable('signup_disabled', MESSAGES.signupsDisabled);
    const session = await transaction(deps.db, async (tx) => {
      const user = await insertAnonymousUser(tx, data);
      await audit(tx, user, 'user_signedup', clientInfo(c).ip, { provider: 'anonymous' });
      return issueSession(tx, settings, user.id, 'anonymous', clientInfo(c));
    });
    return c.json(session);
  }
  deps.limits.otp.take(rateLimitKey(c));
  if (!settings.enableSignup) throw unprocessable('signup_disabled', MESSAGES.signupsDisabled);
  // validateSignupParams comes before the provider checks, as in GoTrue.
  if (!password) throw badRequest('validation_failed', MESSAGES.signupNeedsPassword);
  const weak = checkPasswordStrength(password, settings);
  if (weak) throw weak;
  if (rawEmail && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
  if (!rawEmail) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
  if (!settings.emailEnabled) throw badRequest('email_provider_disabled', 'Email signups are disabled');
  const email = validateEmail(rawEmail);
  const redirectTo = referrer(settings, c.req.query('redirect_to') ?? null, c.req.header('referer'));
  const existing = await findUserByEmail(deps.db, email);
  // Hashing is slow: only for a user that will be created, and outside the transaction.
  const encrypted = existing ? null : await hashPassword(password);

  const result = await transaction(deps.db, async (tx) => {
    let user: UserRow | null = existing ? await findUserById(tx, existing.id, true) : null;
    if (user?.email_confirmed_at) {
      await audit(tx, user, 'user_repeated_signup', clientInfo(c).ip, { provider: 'email' });
      // The audit row is kept either way, so the refusal is raised after the commit.
      if (settings.autoconfirm) return { refused: unprocessable('user_already_exists', MESSAGES.userAlreadyRegistered) };
      return { json: obfuscatedUser(user, data) };
    }
    // An unconfirmed user is left as it is (the caller's claim to the address is unproven):
    // no new password or metadata, only the confirmation mail again.
    // (a user deleted since the lookup outside the transaction is created afresh, with this password)
    user ??= await insertUser(tx, { email, encryptedPassword: encrypted ?? (await hashPassword(password)), userMetaData: data, identityData: data });
    const ip = clientInfo(c).ip;
    if (settings.autoconfirm) {
      await audit(tx, user, 'user_signedup', ip, { provider: 'email' });
      await confirmUser(tx, user.id);
      return { json: await issueSession(tx, settings, user.id, 'password', clientInfo(c)) };
    }
    await audit(tx, user, 'user_confirmation_requested', ip, { provider: 'email' });
    if (pkce) await startFlow(tx, user.id, 'email', 'email/signup', pkce);
    await sendVerificationMail(tx, deps, user, 'signup', redirectTo, pkce);
    const sent = (await findUserById(tx, user.id))!;
    // An invited user's details are not shown to whoever signs up with the address.
    if (sent.invited_at) return { json: userJson({ ...sent, raw_user_meta_data: {} }, []) };
    return { json: userJson(sent, await identitiesOf(tx, user.id)) };
  });
  if ('refused' in result) throw result.refused;
  return c.json(result.json);
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/signup': {
    post: {
      tags, operationId: 'auth_signup', summary: 'Sign up with email and password', security: doc.security.apikey,
      description: 'Creates a user. With email confirmations off the answer is a session; with them on, the user (and a confirmation email is sent).',
      requestBody: doc.jsonBody({ ...emailPassword, properties: { ...emailPassword.properties, ...pkce } }),
      responses: { 200: doc.json({ oneOf: [doc.ref('Session'), doc.ref('User')] }), ...errors },
    },
  },
};
