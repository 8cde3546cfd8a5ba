import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { audit, type Actor } from './audit.js';
import { factorsOf } from './factors.js';
import { transaction, type Tx } from './db.js';
import type { AuthDeps } from './deps.js';
import { AuthError, badRequest, notFound, unprocessable, MESSAGES } from './errors.js';
import { actionLink, prepareToken, sendVerificationMail, type VerificationType } from './mailer.js';
import { generateOtp, saveOneTimeToken, tokenHash } from './otp.js';
import { checkPasswordStrength, hashPassword } from './password.js';
import { referrer } from './redirect.js';
import { bool, clientInfo, obj, readBody, readJson, requireAdmin, str, validateEmail } from './request.js';
import { logoutAll } from './sessions.js';
import { parseGoDuration } from './settings.js';
import { setPassword } from './user.js';
import {
  INSTANCE_ID, confirmUser, findUserByEmail, findUserById, identitiesOf, insertUser, mergeAppMetaData, mergeUserMetaData, userJson, type UserRow,
} from './users.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, authError, errors, adminNote, userIdParam } from './openapi.js';

/** Admin actions are logged with the admin role as the actor, as GoTrue's withAdminUser does. */
function adminActor(claims: Record<string, unknown>): Actor {
  return { id: '00000000-0000-0000-0000-000000000000', email: String(claims.role ?? '') };
}

function subject(u: UserRow) {
  return { user_id: u.id, user_email: u.email ?? '', user_phone: u.phone ?? '' };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadUser(c: Context, deps: AuthDeps, tx?: Tx): Promise<UserRow> {
  const id = c.req.param('id') ?? '';
  if (!UUID_RE.test(id)) throw notFound('validation_failed', MESSAGES.userIdNotUuid);
  const user = await findUserById(tx ?? deps.db, id, !!tx);
  if (!user) throw notFound('user_not_found', MESSAGES.userNotFound);
  return user;
}

/** ban_duration: a Go duration ("24h", "1h30m"), or "none" to lift a ban. */
async function applyBan(tx: Tx, userId: string, banDuration: string): Promise<void> {
  if (!banDuration) return;
  if (banDuration === 'none') {
    await tx.query('update auth.users set banned_until = null, updated_at = now() where id = $1', [userId]);
    return;
  }
  const seconds = parseGoDuration(banDuration);
  // Go's time.Duration ends near 2562047h; beyond that GoTrue cannot parse it either.
  if (seconds === null || !Number.isFinite(seconds) || seconds > 9_223_372_036 || /^\d+(\.\d+)?$/.test(banDuration.trim())) {
    throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration "${banDuration}"`);
  }
  await tx.query("update auth.users set banned_until = now() + make_interval(secs => $2), updated_at = now() where id = $1", [userId, seconds]);
}

async function respondUser(c: Context, deps: AuthDeps, id: string): Promise<Response> {
  const user = (await findUserById(deps.db, id))!;
  return c.json(userJson(user, await identitiesOf(deps.db, id)));
}

/** auth.users.role is a varchar(255): a longer role is refused, not a database error (GoTrue's 500). */
function roleParam(body: Record<string, unknown>): string {
  const role = str(body, 'role');
  if ([...role].length > 255) throw badRequest('validation_failed', 'role must be at most 255 characters');
  return role;
}

const MAX_UINT64 = 18446744073709551615n;

/** GoTrue's paginate: strconv.ParseUint, whose error the 400 quotes. */
function pageParam(raw: string | undefined, dflt: number): number {
  if (raw === undefined || raw === '') return dflt;
  const error = !/^[0-9]+$/.test(raw) ? 'invalid syntax' : BigInt(raw) > MAX_UINT64 ? 'value out of range' : null;
  if (error) throw badRequest('validation_failed', `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(raw)}: ${error}`);
  return Number(raw);
}

/** GET /admin/users?page=&per_page=: {users, aud}, with X-Total-Count and Link headers. */
export async function listUsers(c: Context, deps: AuthDeps): Promise<Response> {
  await requireAdmin(c, deps.settings);
  const page = Math.max(1, pageParam(c.req.query('page'), 1));
  const perPage = Math.min(1000, Math.max(1, pageParam(c.req.query('per_page'), 50)));
  if (!Number.isSafeInteger((page - 1) * perPage)) throw badRequest('validation_failed', 'Bad Pagination Parameters');
  const total = Number((await deps.db.query<{ n: string }>("select count(*) n from auth.users where instance_id = '00000000-0000-0000-0000-000000000000'")).rows[0].n);
  const { rows } = await deps.db.query<UserRow>(
    "select * from auth.users where instance_id = '00000000-0000-0000-0000-000000000000' order by created_at desc, id limit $1 offset $2",
    [perPage, (page - 1) * perPage],
  );
  const identities = rows.length
    ? (await deps.db.query('select * from auth.identities where user_id = any($1::uuid[]) order by created_at', [rows.map((r) => r.id)])).rows
    : [];
  const users = rows.map((u) => userJson(u, identities.filter((i) => i.user_id === u.id)));
  const pages = Math.max(1, Math.ceil(total / perPage));
  const base = `${deps.settings.externalUrl}/admin/users`;
  const links = [];
  if (page < pages) links.push(`<${base}?page=${page + 1}&per_page=${perPage}>; rel="next"`);
  links.push(`<${base}?page=${pages}&per_page=${perPage}>; rel="last"`);
  c.header('Link', links.join(', '));
  c.header('X-Total-Count', String(total));
  return c.json({ users, aud: 'authenticated' });
}

export async function getUserById(c: Context, deps: AuthDeps): Promise<Response> {
  await requireAdmin(c, deps.settings);
  const user = await loadUser(c, deps);
  return c.json(userJson(user, await identitiesOf(deps.db, user.id), await factorsOf(deps.db, user.id)));
}

/** gofrs/uuid's FromString forms (canonical, braced, urn:uuid:, 32 hex digits), as the canonical text. */
function parseUuid(text: string): string | null {
  const m = /^(?:urn:uuid:|\{(?=.*\}$))?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i.exec(text);
  if (!m || (text.startsWith('{') !== text.endsWith('}'))) return null;
  return m.slice(1).join('-').toLowerCase();
}

/** admin createUser's `id`: any UUID but the nil one. */
function customUserId(raw: string): string | undefined {
  if (!raw) return undefined;
  const id = parseUuid(raw);
  if (!id) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
  if (id === INSTANCE_ID) throw badRequest('validation_failed', 'ID cannot be a nil uuid');
  return id;
}

/**
 * NewUserWithPasswordHash: a bcrypt hash is stored as given (Go's bcrypt.Cost must accept it).
 * GoTrue answers anything else with a 500 "Error creating user"; bad input is the caller's
 * fault, so here it is a 400 validation_failed.
 */
function importedHash(hash: string): string {
  const m = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/.exec(hash);
  const cost = m ? Number(m[1]) : 0;
  if (cost < 4 || cost > 31) throw badRequest('validation_failed', 'Invalid password hash: only bcrypt hashes are supported');
  return hash;
}

/** POST /admin/users: email, password or password_hash, id, email_confirm, user_metadata, app_metadata, role, ban_duration. */
export async function createUser(c: Context, deps: AuthDeps): Promise<Response> {
  const claims = await requireAdmin(c, deps.settings);
  const body = await readJson(c);
  const rawEmail = str(body, 'email');
  const phone = str(body, 'phone');
  const passwordGiven = body.password !== undefined && body.password !== null;
  const password = str(body, 'password');
  const passwordHash = str(body, 'password_hash');
  const userMeta = obj(body, 'user_metadata') ?? obj(body, 'data') ?? {};
  const appMeta = obj(body, 'app_metadata') ?? {};
  const role = roleParam(body);
  const banDuration = str(body, 'ban_duration');
  const rawId = str(body, 'id');
  if (!rawEmail && !phone) throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
  if (!rawEmail) throw unprocessable('phone_provider_disabled', MESSAGES.phoneLoginsDisabled);
  const email = validateEmail(rawEmail);
  if (passwordGiven && passwordHash) throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
  if (password) {
    const weak = checkPasswordStrength(password, deps.settings);
    if (weak) throw weak;
  }
  // Without either, GoTrue sets a random password no one knows.
  const encrypted = passwordHash ? importedHash(passwordHash) : await hashPassword(password || randomBytes(48).toString('base64url'));
  const id = customUserId(rawId);
  const created = await transaction(deps.db, async (tx) => {
    if (await findUserByEmail(tx, email)) throw unprocessable('email_exists', MESSAGES.emailExists);
    // GoTrue lets the database refuse a taken id (a 500); a chosen id that is taken is the caller's mistake
    if (id && (await findUserById(tx, id))) throw unprocessable('user_already_exists', MESSAGES.userAlreadyRegistered);
    const user = await insertUser(tx, { id, email, encryptedPassword: encrypted, userMetaData: userMeta, appMetaData: appMeta, role: role || undefined });
    await audit(tx, adminActor(claims), 'user_signedup', clientInfo(c).ip, subject(user));
    if (bool(body, 'email_confirm')) await confirmUser(tx, user.id);
    await applyBan(tx, user.id, banDuration);
    return user.id;
  });
  return respondUser(c, deps, created);
}

/**
 * adminUserUpdate's email: the address is set, not confirmed; the email identity takes it with
 * email_verified = email_confirm; tokens issued to the old address stop working.
 */
async function adminSetEmail(tx: Tx, user: UserRow, email: string, emailConfirm: boolean): Promise<void> {
  const updated = await tx.query(
    `update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', $3::boolean), updated_at = now()
      where user_id = $1 and provider = 'email'`,
    [user.id, email, emailConfirm],
  );
  if (updated.rowCount === 0) {
    await tx.query(
      `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       values ($1::text, $1::uuid, $2, 'email', now(), now(), now())`,
      [user.id, JSON.stringify({ sub: user.id, email, email_verified: emailConfirm, phone_verified: false })],
    );
    // a user's first email identity (an anonymous user's) names the provider, as a user's email change does
    await mergeAppMetaData(tx, user.id, { provider: 'email', providers: ['email'] });
  }
  await tx.query(
    `update auth.users set email = $2, is_anonymous = is_anonymous and not $3, confirmation_token = '', recovery_token = '',
            email_change = '', email_change_token_current = '', email_change_token_new = '', email_change_confirm_status = 0,
            reauthentication_token = '', updated_at = now()
      where id = $1`,
    [user.id, email, emailConfirm],
  );
  await tx.query('delete from auth.one_time_tokens where user_id = $1', [user.id]);
}

/** PUT /admin/users/{id} */
export async function updateUserById(c: Context, deps: AuthDeps): Promise<Response> {
  const claims = await requireAdmin(c, deps.settings);
  const body = await readJson(c);
  const rawEmail = str(body, 'email');
  const password = body.password === undefined || body.password === null ? null : str(body, 'password');
  const userMeta = obj(body, 'user_metadata') ?? obj(body, 'data');
  const appMeta = obj(body, 'app_metadata');
  const role = roleParam(body);
  const banDuration = str(body, 'ban_duration');
  const email = rawEmail ? validateEmail(rawEmail) : '';
  let encrypted: string | null = null;
  if (password !== null) {
    const weak = checkPasswordStrength(password, deps.settings);
    if (weak) throw weak;
    encrypted = await hashPassword(password);
  }
  const id = await transaction(deps.db, async (tx) => {
    const user = await loadUser(c, deps, tx);
    await audit(tx, adminActor(claims), 'user_modified', clientInfo(c).ip, subject(user));
    if (banDuration) await applyBan(tx, user.id, banDuration);
    if (role) await tx.query('update auth.users set role = $2, updated_at = now() where id = $1', [user.id, role]);
    const emailConfirm = bool(body, 'email_confirm');
    // As adminUserUpdate: confirming comes first, then the address is set as given.
    if (emailConfirm && !user.email_confirmed_at) await confirmUser(tx, user.id);
    if (email && email !== (user.email ?? '').toLowerCase()) {
      const taken = await findUserByEmail(tx, email);
      if (taken && taken.id !== user.id) throw unprocessable('email_exists', MESSAGES.emailExists);
      await adminSetEmail(tx, user, email, emailConfirm);
    }
    if (encrypted) await setPassword(tx, user.id, encrypted, null);
    if (userMeta) await mergeUserMetaData(tx, user.id, userMeta);
    if (appMeta) await mergeAppMetaData(tx, user.id, appMeta);
    return user.id;
  });
  return respondUser(c, deps, id);
}

/** DELETE /admin/users/{id}: removed with everything that hangs off it, or soft-deleted. */
export async function deleteUserById(c: Context, deps: AuthDeps): Promise<Response> {
  const claims = await requireAdmin(c, deps.settings);
  const text = await readBody(c);
  let soft = false;
  if (text.trim()) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw badRequest('bad_json', `Could not parse request body as JSON: ${(err as Error).message}`);
    }
    soft = !!body && typeof body === 'object' && (body as Record<string, unknown>).should_soft_delete === true;
  }
  await transaction(deps.db, async (tx) => {
    const user = await loadUser(c, deps, tx);
    await audit(tx, adminActor(claims), 'user_deleted', clientInfo(c).ip, subject(user));
    if (soft) {
      await logoutAll(tx, user.id);
      await tx.query('delete from auth.identities where user_id = $1', [user.id]);
      await tx.query(
        `update auth.users set deleted_at = now(), email = null, phone = null, encrypted_password = '',
                raw_user_meta_data = '{}', raw_app_meta_data = '{}', updated_at = now() where id = $1`,
        [user.id],
      );
    } else {
      try {
        await tx.query('delete from auth.users where id = $1', [user.id]);
      } catch (err) {
        // A row elsewhere that references the user without ON DELETE CASCADE keeps it, as on Supabase.
        throw Object.assign(new AuthError(500, 'unexpected_failure', 'Database error deleting user'), { cause: err });
      }
    }
  });
  return c.json({});
}

const LINK_TYPES = ['signup', 'invite', 'magiclink', 'recovery', 'email_change_current', 'email_change_new'] as const;

/** POST /admin/generate_link: the link (and code) a mail would carry, without sending it. */
export async function generateLink(c: Context, deps: AuthDeps): Promise<Response> {
  await requireAdmin(c, deps.settings);
  const { settings } = deps;
  const body = await readJson(c);
  let type = str(body, 'type');
  const email = validateEmail(str(body, 'email'));
  let password = str(body, 'password');
  const data = obj(body, 'data') ?? {};
  const rawNewEmail = str(body, 'new_email');
  const redirectTo = referrer(settings, str(body, 'redirect_to') || null);
  let user = await findUserByEmail(deps.db, email);
  if (!user) {
    // A magic link for an unknown address signs it up, with a password no one knows.
    if (type === 'magiclink') {
      type = 'signup';
      password = randomBytes(48).toString('base64url');
    } else if (type === 'recovery' || type.startsWith('email_change_')) {
      throw notFound('user_not_found', MESSAGES.userWithEmailNotFound);
    }
  }
  if (!(LINK_TYPES as readonly string[]).includes(type)) throw badRequest('validation_failed', `Invalid email action link type requested: ${type}`);
  let encrypted: string | null = null;
  if (type === 'signup' && !user) {
    // validateSignupParams, only for a user about to be created.
    if (!password) throw badRequest('validation_failed', MESSAGES.signupNeedsPassword);
    const weak = checkPasswordStrength(password, settings);
    if (weak) throw weak;
    encrypted = await hashPassword(password);
  }
  const out = await transaction(deps.db, async (tx) => {
    const found = Boolean(user);
    user = user ? await findUserById(tx, user.id, true) : null;
    // deleted between the lookup and the transaction: answered as if it had never been there
    if (found && !user && type !== 'signup' && type !== 'invite') throw notFound('user_not_found', MESSAGES.userWithEmailNotFound);
    let otp: string;
    let hash: string;
    let verification: VerificationType;
    if (type.startsWith('email_change')) {
      if (type === 'email_change_current' && !settings.secureEmailChange) {
        throw badRequest('validation_failed', 'Enable secure email change to generate link for current email');
      }
      const newEmail = validateEmail(rawNewEmail);
      const taken = await findUserByEmail(tx, newEmail);
      if (taken && taken.id !== user!.id) throw unprocessable('email_exists', MESSAGES.emailExists);
      const target = type === 'email_change_current' ? email : newEmail;
      otp = generateOtp(settings.otpLength);
      hash = tokenHash(target, otp);
      const column = type === 'email_change_current' ? 'email_change_token_current' : 'email_change_token_new';
      await tx.query(`update auth.users set email_change = $2, ${column} = $3, email_change_sent_at = now(), email_change_confirm_status = 0, updated_at = now() where id = $1`, [
        user!.id,
        newEmail,
        hash,
      ]);
      await saveOneTimeToken(tx, user!.id, column, hash, target);
      verification = 'email_change';
    } else {
      if (type === 'signup' || type === 'invite') {
        if (user?.email_confirmed_at) throw unprocessable('email_exists', MESSAGES.emailExists);
        // An unconfirmed user's metadata takes the new data on a signup link, as GoTrue does.
        if (user && type === 'signup') await mergeUserMetaData(tx, user.id, data);
        user ??= await insertUser(tx, { email, encryptedPassword: encrypted ?? (password ? await hashPassword(password) : null), userMetaData: data });
      }
      const column = type === 'signup' || type === 'invite' ? 'confirmation' : 'recovery';
      ({ otp, hash } = await prepareToken(tx, settings, user!, column, type === 'invite'));
      verification = type as VerificationType;
    }
    const fresh = (await findUserById(tx, user!.id))!;
    return {
      ...userJson(fresh, await identitiesOf(tx, fresh.id)),
      action_link: actionLink(settings, hash, verification, redirectTo),
      email_otp: otp,
      hashed_token: hash,
      verification_type: verification,
      redirect_to: redirectTo,
    };
  });
  return c.json(out);
}

/** POST /invite {email, data}: a user without a password, and an invite mail to set one up. */
export async function invite(c: Context, deps: AuthDeps): Promise<Response> {
  const claims = await requireAdmin(c, deps.settings);
  const body = await readJson(c);
  const email = validateEmail(str(body, 'email'));
  const data = obj(body, 'data') ?? {};
  const redirectTo = referrer(deps.settings, c.req.query('redirect_to') ?? null, c.req.header('referer'));
  const id = await transaction(deps.db, async (tx) => {
    let user = await findUserByEmail(tx, email);
    if (user?.email_confirmed_at) throw unprocessable('email_exists', MESSAGES.emailExists);
    user ??= await insertUser(tx, { email, encryptedPassword: null, userMetaData: data });
    await audit(tx, adminActor(claims), 'user_invited', clientInfo(c).ip, subject(user));
    await sendVerificationMail(tx, deps, user, 'invite', redirectTo);
    return user.id;
  });
  return respondUser(c, deps, id);
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/admin/users': {
    get: {
      tags, operationId: 'auth_admin_list_users', summary: 'List users (admin)', description: adminNote, security: doc.security.serviceRole,
      parameters: [doc.query('page', { type: 'integer' }), doc.query('per_page', { type: 'integer' })],
      responses: { 200: doc.json(doc.obj({ users: doc.arr(doc.ref('User')), aud: doc.str() })), ...errors },
    },
    post: {
      tags, operationId: 'auth_admin_create_user', summary: 'Create a user (admin)', description: adminNote, security: doc.security.serviceRole,
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(), password: doc.str(), email_confirm: doc.bool(), user_metadata: doc.obj({}), app_metadata: doc.obj({}) })),
      responses: { 200: doc.json(doc.ref('User')), ...errors },
    },
  },
  '/auth/v1/admin/users/{id}': {
    parameters: [userIdParam],
    get: { tags, operationId: 'auth_admin_get_user', summary: 'Get a user (admin)', description: adminNote, security: doc.security.serviceRole, responses: { 200: doc.json(doc.ref('User')), 404: authError, ...errors } },
    put: {
      tags, operationId: 'auth_admin_update_user', summary: 'Update a user (admin)', description: adminNote, security: doc.security.serviceRole,
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(), password: doc.str(), email_confirm: doc.bool(), ban_duration: doc.str(), user_metadata: doc.obj({}), app_metadata: doc.obj({}) })),
      responses: { 200: doc.json(doc.ref('User')), 404: authError, ...errors },
    },
    delete: { tags, operationId: 'auth_admin_delete_user', summary: 'Delete a user (admin)', description: adminNote, security: doc.security.serviceRole, responses: { 200: doc.json(doc.obj({})), 404: authError, ...errors } },
  },
  '/auth/v1/admin/generate_link': {
    post: {
      tags, operationId: 'auth_admin_generate_link', summary: 'Make a signup/magic-link/recovery/invite link without sending it (admin)', description: adminNote, security: doc.security.serviceRole,
      requestBody: doc.jsonBody(doc.obj({ type: doc.str(undefined, { enum: ['signup', 'magiclink', 'recovery', 'invite', 'email_change_current', 'email_change_new'] }), email: doc.str(), password: doc.str(), data: doc.obj({}), redirect_to: doc.str() }, ['type', 'email'])),
      responses: { 200: doc.json(doc.obj({ action_link: doc.str(), email_otp: doc.str(), hashed_token: doc.str(), verification_type: doc.str(), redirect_to: doc.str() })), ...errors },
    },
  },
  '/auth/v1/invite': {
    post: {
      tags, operationId: 'auth_admin_invite', summary: 'Invite a user by email (admin)', description: adminNote, security: doc.security.serviceRole,
      requestBody: doc.jsonBody(doc.obj({ email: doc.str(), data: doc.obj({}) }, ['email'])),
      responses: { 200: doc.json(doc.ref('User')), ...errors },
    },
  },
};
