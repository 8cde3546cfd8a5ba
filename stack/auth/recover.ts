import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { audit } from './audit.js';
import { transaction } from './db.js';
import type { AuthDeps } from './deps.js';
import { badRequest, unprocessable, MESSAGES } from './errors.js';
import { sendEmailChangeMail, sendVerificationMail } from './mailer.js';
import { hashPassword } from './password.js';
import { referrer } from './redirect.js';
import { bool, clientInfo, rateLimitKey, obj, readJson, str, validateEmail } from './request.js';
import { pkceParams, startFlow } from './pkce.js';
import { confirmUser, findUserByEmail, findUserById, insertUser, type UserRow } from './users.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, errors, pkce } from './openapi.js';

function redirectOf(c: Context, deps: AuthDeps): string {
  return referrer(deps.settings, c.req.query('redirect_to') ?? null, c.req.header('referer'));
}

/** POST /recover: a recovery mail when the address is known; the same {} either way. */
export async function recover(c: Context, deps: AuthDeps): Promise<Response> {
  deps.limits.otp.take(rateLimitKey(c));
  const body = await readJson(c);
  const rawEmail = str(body, 'email');
  if (!rawEmail) throw badRequest('validation_failed', 'Password recovery requires an email');
  const pkce = pkceParams(body);
  const email = validateEmail(rawEmail);
  const redirectTo = redirectOf(c, deps);
  await transaction(deps.db, async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return;
    if (pkce) await startFlow(tx, user.id, 'recovery', 'recovery', pkce);
    await audit(tx, user, 'user_recovery_requested', clientInfo(c).ip);
    await sendVerificationMail(tx, deps, user, 'recovery', redirectTo, pkce);
  });
  return c.json({});
}

/**
 * POST /otp and /magiclink (email): a magic link for a confirmed user; for a new or unconfirmed
 * one a confirmation mail, or, with autoconfirm, confirmation and then the magic link.
 */
export async function otp(c: Context, deps: AuthDeps): Promise<Response> {
  const { settings } = deps;
  deps.limits.otp.take(rateLimitKey(c));
  const body = await readJson(c);
  const rawEmail = str(body, 'email');
  const phone = str(body, 'phone');
  const createUser = body.create_user === undefined ? true : bool(body, 'create_user');
  const data = obj(body, 'data') ?? {};
  const pkce = pkceParams(body);
  if (!rawEmail && phone) throw unprocessable('phone_provider_disabled', MESSAGES.unsupportedPhoneProvider);
  if (!rawEmail) throw badRequest('validation_failed', 'An email address or phone number is required');
  if (!settings.emailEnabled) throw unprocessable('email_provider_disabled', MESSAGES.emailLoginsDisabled);
  const email = validateEmail(rawEmail);
  const redirectTo = redirectOf(c, deps);
  const existing = await findUserByEmail(deps.db, email);
  if (!existing) {
    if (!createUser) throw unprocessable('otp_disabled', MESSAGES.otpSignupsDisabled);
    if (!settings.enableSignup) throw unprocessable('signup_disabled', MESSAGES.signupsDisabled);
  }
  // GoTrue gives users created by a magic link a random password they never learn.
  const randomPassword = existing ? null : await hashPassword(randomBytes(32).toString('base64url'));
  await transaction(deps.db, async (tx) => {
    let user = existing ? await findUserById(tx, existing.id, true) : await insertUser(tx, { email, encryptedPassword: randomPassword, userMetaData: data });
    if (!user) throw unprocessable('otp_disabled', MESSAGES.otpSignupsDisabled);
    if (!user.email_confirmed_at) {
      if (!settings.autoconfirm) {
        // As GoTrue's magic link for a new user: a sign-up, whose confirmation completes the flow.
        if (pkce) await startFlow(tx, user.id, 'email', 'email/signup', pkce);
        await sendVerificationMail(tx, deps, user, 'signup', redirectTo, pkce);
        return;
      }
      await confirmUser(tx, user.id);
      user = (await findUserById(tx, user.id))!;
    }
    if (pkce) await startFlow(tx, user.id, 'magiclink', 'magiclink', pkce);
    await sendVerificationMail(tx, deps, user, 'magiclink', redirectTo, pkce);
  });
  return c.json({});
}

/** POST /resend {type: signup | email_change, email}. */
export async function resend(c: Context, deps: AuthDeps): Promise<Response> {
  deps.limits.otp.take(rateLimitKey(c));
  const body = await readJson(c);
  const type = str(body, 'type');
  if (!['signup', 'email_change', 'sms', 'phone_change'].includes(type)) {
    throw badRequest('validation_failed', 'Missing one of these types: signup, email_change, sms, phone_change');
  }
  if (type === 'sms' || type === 'phone_change') throw unprocessable('phone_provider_disabled', MESSAGES.unsupportedPhoneProvider);
  const pkce = pkceParams(body);
  const email = validateEmail(str(body, 'email'));
  const redirectTo = redirectOf(c, deps);
  await transaction(deps.db, async (tx) => {
    // An email change is resent to whoever asked to move to, or away from, this address.
    const user =
      type === 'signup'
        ? await findUserByEmail(tx, email)
        : (await tx.query<UserRow>("select * from auth.users where email_change <> '' and (lower(email_change) = $1 or lower(email) = $1) limit 1", [email])).rows[0] ?? null;
    if (!user) return;
    if (type === 'signup') {
      if (user.email_confirmed_at) return;
      if (pkce) await startFlow(tx, user.id, 'email/signup', 'email/signup', pkce);
      await sendVerificationMail(tx, deps, user, 'signup', redirectTo, pkce);
    } else if (user.email_change) {
      if (pkce) await startFlow(tx, user.id, 'email_change', 'email_change', pkce);
      await sendEmailChangeMail(tx, deps, user, user.email_change, redirectTo, pkce);
    }
  });
  return c.json({});
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/recover': {
    post: {
      tags, operationId: 'auth_recover', summary: 'Send a password-recovery email', security: doc.security.apikey,
      parameters: [doc.query('redirect_to', doc.str(undefined, { format: 'uri' }))],
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(undefined, { format: 'email' }), gotrue_meta_security: doc.obj({ captcha_token: doc.str() }), ...pkce }, ['email'])),
      responses: { 200: doc.json(doc.obj({})), ...errors },
    },
  },
  '/auth/v1/otp': {
    post: {
      tags, operationId: 'auth_otp', summary: 'Send a magic link / one-time code', security: doc.security.apikey,
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(), phone: doc.str(), create_user: doc.bool(), data: doc.obj({}), ...pkce })),
      responses: { 200: doc.json(doc.obj({})), ...errors },
    },
  },
  '/auth/v1/resend': {
    post: {
      tags, operationId: 'auth_resend', summary: 'Resend a signup or email-change confirmation', security: doc.security.apikey,
      requestBody: doc.jsonBody(doc.obj({ type: doc.str(undefined, { enum: ['signup', 'email_change'] }), email: doc.str(), ...pkce }, ['type', 'email'])),
      responses: { 200: doc.json(doc.obj({})), ...errors },
    },
  },
  '/auth/v1/magiclink': {
    post: {
      tags, operationId: 'auth_magiclink', summary: 'Send a magic link (the older name of /otp)', security: doc.security.apikey,
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(), data: doc.obj({}), ...pkce }, ['email'])),
      responses: { 200: doc.json(doc.obj({})), ...errors },
    },
  },
};
