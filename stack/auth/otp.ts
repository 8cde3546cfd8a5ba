import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Tx } from './db.js';

export type OneTimeTokenType =
  | 'confirmation_token'
  | 'reauthentication_token'
  | 'recovery_token'
  | 'email_change_token_new'
  | 'email_change_token_current'
  | 'phone_change_token';

/** A numeric one-time code of the configured length. */
export function generateOtp(length: number): string {
  let otp = '';
  for (let i = 0; i < length; i++) otp += String(randomInt(10));
  return otp;
}

/** GoTrue's GenerateTokenHash: hex SHA-224 of the address followed by the code. */
export function tokenHash(emailOrPhone: string, otp: string): string {
  return createHash('sha224').update(emailOrPhone + otp).digest('hex');
}

/** One live token per user and type in auth.one_time_tokens (GoTrue's CreateOneTimeToken). */
export async function saveOneTimeToken(tx: Tx, userId: string, type: OneTimeTokenType, hash: string, relatesTo: string): Promise<void> {
  await tx.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [userId, type]);
  await tx.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
     values ($1, $2, $3, $4, $5, now(), now())`,
    [randomUUID(), userId, type, hash, relatesTo.toLowerCase()],
  );
}

export async function clearOneTimeToken(tx: Tx, userId: string, type: OneTimeTokenType): Promise<void> {
  await tx.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [userId, type]);
}
