import type { Context } from 'hono';
import { audit } from './audit.js';
import { transaction, type Tx } from './db.js';
import type { AuthDeps } from './deps.js';
import { badRequest, unprocessable, MESSAGES } from './errors.js';
import { sendReauthenticationMail } from './mailer.js';
import { tokenHash } from './otp.js';
import { sameSecret } from './password.js';
import { clientIp, requireUser } from './request.js';
import type { AuthSettings } from './settings.js';
import { findUserById, type UserRow } from './users.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, errors } from './openapi.js';

const INVALID_NONCE = 'Nonce has expired or is invalid';

/** GET /reauthenticate: mails the signed-in user a code to send as `nonce` with a password change. */
export async function reauthenticate(c: Context, deps: AuthDeps): Promise<Response> {
  const { user } = await requireUser(c, deps.settings, deps.db);
  if (!user.email && !user.phone) throw badRequest('validation_failed', 'Reauthentication requires the user to have an email or a phone number');
  if (user.email && !user.email_confirmed_at) throw unprocessable('email_not_confirmed', 'Please verify your email first.');
  if (!user.email) throw unprocessable('phone_provider_disabled', MESSAGES.unsupportedPhoneProvider);
  await transaction(deps.db, async (tx) => {
    const locked = (await findUserById(tx, user.id, true))!;
    await audit(tx, locked, 'user_reauthenticate_requested', clientIp(c));
    await sendReauthenticationMail(tx, deps, locked);
  });
  return c.json({});
}

/**
 * verifyReauthentication: the nonce must be the code last mailed to the user, unexpired; it is
 * used up (ConfirmReauthentication).
 */
export async function verifyNonce(tx: Tx, settings: AuthSettings, user: UserRow, nonce: string): Promise<void> {
  const stored = user.reauthentication_token ?? '';
  const sentAt = user.reauthentication_sent_at;
  if (!stored || !sentAt) throw unprocessable('reauthentication_not_valid', INVALID_NONCE);
  const expired = Date.now() > sentAt.getTime() + settings.otpExpiry * 1000;
  if (expired || !sameSecret(tokenHash((user.email ?? '').toLowerCase(), nonce), stored)) throw unprocessable('reauthentication_not_valid', INVALID_NONCE);
  await tx.query("update auth.users set reauthentication_token = '', reauthentication_sent_at = null where id = $1", [user.id]);
  await tx.query("delete from auth.one_time_tokens where user_id = $1 and token_type = 'reauthentication_token'", [user.id]);
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/reauthenticate': {
    get: {
      tags, operationId: 'auth_reauthenticate', summary: 'Mail the signed-in user a nonce for a password change', security: doc.security.user,
      responses: { 200: doc.json(doc.obj({})), ...errors },
    },
  },
};
