import type { Context } from 'hono';
import { transaction } from './db.js';
import type { AuthDeps } from './deps.js';
import { badRequest, forbidden, unprocessable, MESSAGES } from './errors.js';
import { sendEmailChangeMail } from './mailer.js';
import { checkPasswordStrength, hashPassword, verifyPassword } from './password.js';
import { referrer } from './redirect.js';
import { clientInfo, rateLimitKey, obj, readJson, requireUser, str, validateEmail } from './request.js';
import { logoutAll, logoutOthers, logoutSession } from './sessions.js';
import { findUserByEmail, findUserById, identitiesOf, mergeAppMetaData, mergeUserMetaData, userJson, type UserRow } from './users.js';
import type { Tx } from './db.js';
import { audit } from './audit.js';
import { factorsOf } from './factors.js';
import { pkceParams, startFlow } from './pkce.js';
import { verifyNonce } from './reauthenticate.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, errors, pkce } from './openapi.js';

/** GET /user */
export async function getUser(c: Context, deps: AuthDeps): Promise<Response> {
  const { user } = await requireUser(c, deps.settings, deps.db);
  return c.json(userJson(user, await identitiesOf(deps.db, user.id), await factorsOf(deps.db, user.id)));
}

/** POST /logout?scope=global|local|others: 204; global ends every session of the user. */
export async function logout(c: Context, deps: AuthDeps): Promise<Response> {
  const scope = c.req.query('scope') ?? '';
  if (!['', 'global', 'local', 'others'].includes(scope)) throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
  const { user, session } = await requireUser(c, deps.settings, deps.db);
  await audit(deps.db, user, 'logout', clientInfo(c).ip);
  if (session && scope === 'local') await logoutSession(deps.db, session.id);
  else if (session && scope === 'others') await logoutOthers(deps.db, session.id, user.id);
  else await logoutAll(deps.db, user.id);
  return c.body(null, 204);
}

/** user.UpdatePassword: new hash, pending tokens cleared, the user's other sessions ended. */
export async function setPassword(tx: Tx, userId: string, encrypted: string, keepSession: string | null): Promise<void> {
  await tx.query(
    `update auth.users set encrypted_password = $2, confirmation_token = '', confirmation_sent_at = null,
            recovery_token = '', recovery_sent_at = null, email_change_token_current = '', email_change_token_new = '',
            email_change_sent_at = null, reauthentication_token = '', reauthentication_sent_at = null, updated_at = now()
      where id = $1`,
    [userId, encrypted],
  );
  await tx.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
  if (keepSession) await logoutOthers(tx, keepSession, userId);
  else await logoutAll(tx, userId);
}

/** ConfirmEmailChange: the new address becomes the email, on the user and its email identity. */
export async function applyEmailChange(tx: Tx, userId: string, newEmail: string): Promise<void> {
  await tx.query(
    `update auth.users set email = $2, email_change = '', email_change_token_current = '', email_change_token_new = '',
            email_change_confirm_status = 0, email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now()
      where id = $1`,
    [userId, newEmail],
  );
  const updated = await tx.query(
    `update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', true), updated_at = now()
      where user_id = $1 and provider = 'email'`,
    [userId, newEmail],
  );
  if (updated.rowCount === 0) {
    // An anonymous user (no email identity yet) becomes a permanent one, as emailChangeVerify does.
    await tx.query(
      `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       values ($1, $2, $3, 'email', now(), now(), now())`,
      [userId, userId, JSON.stringify({ sub: userId, email: newEmail, email_verified: true, phone_verified: false })],
    );
    await tx.query('update auth.users set is_anonymous = false where id = $1', [userId]);
    await mergeAppMetaData(tx, userId, { provider: 'email', providers: ['email'] });
  }
  await mergeUserMetaData(tx, userId, { email: newEmail });
  await tx.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
}

/** PUT /user: email, password, data. */
export async function updateUser(c: Context, deps: AuthDeps): Promise<Response> {
  const { settings, db } = deps;
  const caller = await requireUser(c, settings, db);
  deps.limits.otp.take(rateLimitKey(c));
  const body = await readJson(c);
  const email = str(body, 'email');
  const password = body.password === undefined || body.password === null ? null : str(body, 'password');
  const data = obj(body, 'data');
  const phone = str(body, 'phone');
  const pkce = pkceParams(body);
  if (obj(body, 'app_metadata')) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
  if (phone && phone !== (caller.user.phone ?? '')) throw unprocessable('phone_provider_disabled', MESSAGES.phoneLoginsDisabled);
  const newEmail = email ? validateEmail(email) : '';
  if (password !== null) {
    const weak = checkPasswordStrength(password, settings);
    if (weak) throw weak;
  }
  // An anonymous user's password alone would be a credential no one can sign in with.
  if (caller.user.is_anonymous && password && !newEmail && !phone) {
    throw unprocessable('validation_failed', 'Updating password of an anonymous user without an email or phone is not allowed');
  }
  // secure_password_change: a session older than a day must show the mailed nonce (UserUpdate).
  const nonce = str(body, 'nonce');
  const session = caller.session;
  const needsNonce = password !== null && settings.securePasswordChange && (!session?.created_at || Date.now() > session.created_at.getTime() + 24 * 3600 * 1000);
  if (needsNonce && !nonce) throw badRequest('reauthentication_needed', 'Password update requires reauthentication');
  let encrypted: string | null = null;
  if (password !== null) {
    if (caller.user.encrypted_password && (await verifyPassword(password, caller.user.encrypted_password))) {
      throw unprocessable('same_password', 'New password should be different from the old password.');
    }
    encrypted = await hashPassword(password);
  }
  const redirectTo = referrer(settings, c.req.query('redirect_to') ?? null, c.req.header('referer'));
  await transaction(db, async (tx) => {
    const user = (await findUserById(tx, caller.user.id, true)) as UserRow;
    if (needsNonce) await verifyNonce(tx, settings, user, nonce);
    await audit(tx, user, encrypted ? 'user_updated_password' : 'user_modified', clientInfo(c).ip);
    if (encrypted) await setPassword(tx, user.id, encrypted, caller.session?.id ?? null);
    if (data) await mergeUserMetaData(tx, user.id, data);
    if (newEmail && newEmail !== (user.email ?? '').toLowerCase()) {
      const taken = await findUserByEmail(tx, newEmail);
      if (taken && taken.id !== user.id) throw unprocessable('email_exists', MESSAGES.emailExists);
      // Only an anonymous user gains an address at once (like signing up); a permanent user
      // always confirms the change by mail, whatever enable_confirmations says.
      if (user.is_anonymous && settings.autoconfirm) await applyEmailChange(tx, user.id, newEmail);
      else {
        if (pkce) await startFlow(tx, user.id, 'email_change', 'email_change', pkce);
        await sendEmailChangeMail(tx, deps, (await findUserById(tx, user.id))!, newEmail, redirectTo, pkce);
      }
    }
  });
  const fresh = (await findUserById(db, caller.user.id))!;
  return c.json(userJson(fresh, await identitiesOf(db, fresh.id), await factorsOf(db, fresh.id)));
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/logout': {
    post: {
      tags, operationId: 'auth_logout', summary: 'Sign out', security: doc.security.user,
      parameters: [doc.query('scope', doc.str(undefined, { enum: ['global', 'local', 'others'] }), 'Which sessions end (default global)')],
      responses: { 204: { description: 'Signed out' }, ...errors },
    },
  },
  '/auth/v1/user': {
    get: { tags, operationId: 'auth_get_user', summary: 'The signed-in user', security: doc.security.user, responses: { 200: doc.json(doc.ref('User')), ...errors } },
    put: {
      tags, operationId: 'auth_update_user', summary: 'Update email, password or metadata of the signed-in user', security: doc.security.user,
      description: 'With `secure_password_change`, a session older than 24 hours needs `nonce` (the code /reauthenticate mails) to change the password.',
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(), password: doc.str(), nonce: doc.str(), data: doc.obj({}), ...pkce })),
      responses: { 200: doc.json(doc.ref('User')), ...errors },
    },
  },
};
