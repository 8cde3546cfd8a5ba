import { factorsOf, type FactorJson } from './factors.js';
import { randomUUID } from 'node:crypto';
import type { Db, Tx } from './db.js';
import { unexpected, unprocessable, MESSAGES } from './errors.js';

type Querier = Db | Tx;

export const INSTANCE_ID = '00000000-0000-0000-0000-000000000000';

/** A row of auth.users (the columns /auth/v1 reads). */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_token: string | null;
  confirmation_sent_at: Date | null;
  recovery_token: string | null;
  recovery_sent_at: Date | null;
  email_change_token_new: string | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  email_change_token_current: string | null;
  email_change_confirm_status: number | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date | null;
  updated_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  confirmed_at: Date | null;
  reauthentication_token?: string | null;
  reauthentication_sent_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

export function identityJson(i: IdentityRow) {
  return {
    identity_id: i.id,
    id: i.provider_id,
    user_id: i.user_id,
    identity_data: i.identity_data,
    provider: i.provider,
    last_sign_in_at: iso(i.last_sign_in_at),
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
    email: i.email ?? undefined,
  };
}

/** GoTrue's User JSON; `factors` only when the user has any (omitempty). */
export function userJson(u: UserRow, identities: IdentityRow[], factors: FactorJson[] = []) {
  return {
    id: u.id,
    aud: u.aud ?? '',
    role: u.role ?? '',
    email: u.email ?? '',
    email_confirmed_at: iso(u.email_confirmed_at),
    invited_at: iso(u.invited_at),
    phone: u.phone ?? '',
    phone_confirmed_at: iso(u.phone_confirmed_at),
    confirmation_sent_at: iso(u.confirmation_sent_at),
    confirmed_at: iso(u.confirmed_at),
    recovery_sent_at: iso(u.recovery_sent_at),
    new_email: u.email_change || undefined,
    email_change_sent_at: iso(u.email_change_sent_at),
    new_phone: u.phone_change || undefined,
    phone_change_sent_at: iso(u.phone_change_sent_at),
    reauthentication_sent_at: iso(u.reauthentication_sent_at),
    last_sign_in_at: iso(u.last_sign_in_at),
    app_metadata: u.raw_app_meta_data ?? {},
    user_metadata: u.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    ...(factors.length ? { factors } : {}),
    created_at: iso(u.created_at),
    updated_at: iso(u.updated_at),
    banned_until: iso(u.banned_until),
    deleted_at: iso(u.deleted_at),
    is_anonymous: u.is_anonymous,
  };
}

export type UserJson = ReturnType<typeof userJson>;

export function isBanned(u: UserRow): boolean {
  return !!u.banned_until && u.banned_until.getTime() > Date.now();
}

export async function findUserById(db: Querier, id: string, forUpdate = false): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`select * from auth.users where id = $1${forUpdate ? ' for update' : ''}`, [id]);
  return rows[0] ?? null;
}

/** GoTrue's FindUserByEmailAndAudience: case-insensitive, non-SSO users of this audience. */
export async function findUserByEmail(db: Querier, email: string, aud = 'authenticated'): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users
      where instance_id = $1 and lower(email) = lower($2) and aud = $3 and is_sso_user = false
      limit 1`,
    [INSTANCE_ID, email, aud],
  );
  return rows[0] ?? null;
}

export async function identitiesOf(db: Querier, userId: string): Promise<IdentityRow[]> {
  const { rows } = await db.query<IdentityRow>('select * from auth.identities where user_id = $1 order by created_at', [userId]);
  return rows;
}

export async function loadUserJson(db: Querier, userId: string): Promise<UserJson | null> {
  const user = await findUserById(db, userId);
  return user ? userJson(user, await identitiesOf(db, userId), await factorsOf(db, userId)) : null;
}

export interface NewUser {
  email: string;
  encryptedPassword: string | null;
  userMetaData: Record<string, unknown>;
  appMetaData?: Record<string, unknown>;
  role?: string;
  /** Sign-up's `data`: its keys also go into the email identity's data (never over sub/email). */
  identityData?: Record<string, unknown>;
  /** admin createUser's `id`; otherwise a random one. */
  id?: string;
}

/**
 * Inserts a user the way GoTrue's signupNewUser does: the row first (user_metadata from the
 * request, app_metadata naming the email provider, empty role), then the role, then the email
 * identity, whose data is merged into user_metadata; all inside the caller's transaction, so
 * an `after insert on auth.users` trigger sees what it sees on Supabase.
 */
export async function insertUser(tx: Tx, n: NewUser): Promise<UserRow> {
  try {
    return await insertUserRows(tx, n);
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'users_email_partial_key') {
      throw unprocessable('email_exists', MESSAGES.emailExists);
    }
    // A trigger on auth.users refusing the row ends the sign-up, as GoTrue reports it.
    if (e.code) throw Object.assign(unexpected('Database error saving new user'), { cause: err });
    throw err;
  }
}

async function insertUserRows(tx: Tx, n: NewUser): Promise<UserRow> {
  const id = n.id ?? randomUUID();
  const email = n.email.toLowerCase();
  const appMeta = { provider: 'email', providers: ['email'], ...(n.appMetaData ?? {}) };
  await tx.query(
    `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                             is_super_admin, created_at, updated_at, confirmation_token, recovery_token,
                             email_change_token_new, email_change, is_sso_user, is_anonymous)
     values ($1, $2, 'authenticated', '', $3, $4, $5, $6, null, now(), now(), '', '', '', '', false, false)`,
    [INSTANCE_ID, id, email, n.encryptedPassword ?? '', JSON.stringify(appMeta), JSON.stringify(n.userMetaData)],
  );
  await tx.query('update auth.users set role = $2, updated_at = now() where id = $1', [id, n.role ?? 'authenticated']);
  const claims = { sub: id, email, email_verified: false, phone_verified: false };
  await tx.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values ($1, $2, $3, 'email', now(), now(), now())`,
    [id, id, JSON.stringify({ ...(n.identityData ?? {}), ...claims })],
  );
  await mergeUserMetaData(tx, id, claims);
  return (await findUserById(tx, id))!;
}

/** SignupAnonymously's user: no email, no identity, is_anonymous, the "anonymous" provider. */
export async function insertAnonymousUser(tx: Tx, userMetaData: Record<string, unknown>): Promise<UserRow> {
  const id = randomUUID();
  try {
    await tx.query(
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
                               created_at, updated_at, confirmation_token, recovery_token, email_change_token_new, email_change,
                               is_sso_user, is_anonymous)
       values ($1, $2, 'authenticated', '', null, '', $3, $4, now(), now(), '', '', '', '', false, true)`,
      [INSTANCE_ID, id, JSON.stringify({ provider: 'anonymous', providers: ['anonymous'] }), JSON.stringify(userMetaData)],
    );
  } catch (err) {
    if ((err as { code?: string }).code) throw Object.assign(unexpected('Database error saving new user'), { cause: err });
    throw err;
  }
  await tx.query("update auth.users set role = 'authenticated', updated_at = now() where id = $1", [id]);
  return (await findUserById(tx, id))!;
}

/** GoTrue's UpdateUserMetaData: keys set, null values delete the key. */
export async function mergeUserMetaData(tx: Querier, id: string, updates: Record<string, unknown>): Promise<void> {
  await tx.query(
    `update auth.users
        set raw_user_meta_data = (coalesce(raw_user_meta_data, '{}'::jsonb) || $2::jsonb)
              - (select coalesce(array_agg(key), '{}') from jsonb_each($2::jsonb) where value = 'null'::jsonb),
            updated_at = now()
      where id = $1`,
    [id, JSON.stringify(updates)],
  );
}

export async function mergeAppMetaData(tx: Querier, id: string, updates: Record<string, unknown>): Promise<void> {
  await tx.query(
    `update auth.users
        set raw_app_meta_data = (coalesce(raw_app_meta_data, '{}'::jsonb) || $2::jsonb)
              - (select coalesce(array_agg(key), '{}') from jsonb_each($2::jsonb) where value = 'null'::jsonb),
            updated_at = now()
      where id = $1`,
    [id, JSON.stringify(updates)],
  );
}

/** user.Confirm: email confirmed now, confirmation token cleared, email_verified in metadata and identity. */
export async function confirmUser(tx: Tx, id: string): Promise<void> {
  await tx.query(`update auth.users set confirmation_token = '', email_confirmed_at = now(), updated_at = now() where id = $1`, [id]);
  await mergeUserMetaData(tx, id, { email_verified: true });
  await tx.query(
    `update auth.identities i set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
       from auth.users u
      where i.user_id = u.id and u.id = $1 and i.provider = 'email' and i.email = lower(u.email)`,
    [id],
  );
  await tx.query('delete from auth.one_time_tokens where user_id = $1', [id]);
}
