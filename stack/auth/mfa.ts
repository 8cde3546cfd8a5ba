import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { audit } from './audit.js';
import { transaction, type Db, type Tx } from './db.js';
import type { AuthDeps } from './deps.js';
import { AuthError, badRequest, forbidden, notFound, unprocessable, type ErrorCode, MESSAGES } from './errors.js';
import { factorJson, type FactorRow } from './factors.js';
import { clientIp, readJson, requireAdmin, requireUser, str, type Caller } from './request.js';
import { swapRefreshToken, tokenResponse, type RefreshTokenRow, type SessionRow } from './sessions.js';
import { findUserById, type UserRow } from './users.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, authError, errors, adminNote, factorPath, userIdParam } from './openapi.js';

// GoTrue's MFA defaults (conf.MFAConfiguration): unverified factors and challenges live 300 s;
// at most 10 verified factors whatever max_enrolled_factors says.
const FACTOR_EXPIRY_SECONDS = 300;
const CHALLENGE_EXPIRY_SECONDS = 300;
const MAX_VERIFIED_FACTORS = 10;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const FACTOR_TYPES = ['totp', 'phone', 'webauthn'] as const;
const BAD_FACTOR_TYPE = 'factor_type needs to be totp, phone, or webauthn';

/** requireAuthentication + requireNotAnonymous, and the session the token names (MFA needs one). */
async function mfaCaller(c: Context, deps: AuthDeps, action: string): Promise<Caller & { session: SessionRow }> {
  const caller = await requireUser(c, deps.settings, deps.db);
  if (caller.user.is_anonymous) throw forbidden('no_authorization', 'Anonymous user not allowed to perform these actions');
  // GoTrue answers a token without a session with a 500; it is the caller's token that is wrong.
  if (!caller.session) throw unauthorizedSession(action);
  return caller as Caller & { session: SessionRow };
}

function unauthorizedSession(action: string): AuthError {
  return new AuthError(401, 'session_not_found', `A valid session and a registered user are required to ${action}`);
}

/** loadFactor: one of the user's own factors, by the URL's factor_id. */
async function loadFactor(db: Db | Tx, userId: string, factorId: string, forUpdate = false): Promise<FactorRow> {
  if (!UUID_RE.test(factorId)) throw notFound('validation_failed', 'factor_id must be an UUID');
  const { rows } = await db.query<FactorRow>(
    `select * from auth.mfa_factors where id = $1 and user_id = $2${forUpdate ? ' for update' : ''}`,
    [factorId, userId],
  );
  if (!rows[0]) throw notFound('mfa_factor_not_found', 'Factor not found');
  return rows[0];
}

// errorcode.go's names for a factor type whose enrollment or verification is switched off.
const DISABLED_CODES: Record<string, { name: string; enroll: ErrorCode; verification: ErrorCode }> = {
  totp: { name: 'TOTP', enroll: 'mfa_totp_enroll_not_enabled', verification: 'mfa_totp_verify_not_enabled' },
  phone: { name: 'Phone', enroll: 'mfa_phone_enroll_not_enabled', verification: 'mfa_phone_verify_not_enabled' },
  webauthn: { name: 'WebAuthn', enroll: 'mfa_webauthn_enroll_not_enabled', verification: 'mfa_webauthn_verify_not_enabled' },
};

function disabledFor(kind: 'enroll' | 'verification', type: string): AuthError {
  const codes = DISABLED_CODES[type] ?? DISABLED_CODES.webauthn;
  return unprocessable(codes[kind], `MFA ${kind} is disabled for ${codes.name}`);
}

/** validateFactors: expired unverified factors go; name clashes, limits and the aal2 rule. */
async function validateFactors(tx: Tx, deps: AuthDeps, user: UserRow, friendlyName: string, session: SessionRow): Promise<void> {
  await tx.query(
    `delete from auth.mfa_factors f where status <> 'verified' and created_at + make_interval(secs => $1) < now()
        and not exists (select 1 from auth.mfa_challenges c where c.factor_id = f.id)`,
    [FACTOR_EXPIRY_SECONDS],
  );
  const { rows } = await tx.query<FactorRow>('select * from auth.mfa_factors where user_id = $1', [user.id]);
  if (rows.some((f) => (f.friendly_name ?? '') === friendlyName)) {
    throw unprocessable('mfa_factor_name_conflict', `A factor with the friendly name ${JSON.stringify(friendlyName)} for this user already exists`);
  }
  const verified = rows.filter((f) => f.status === 'verified').length;
  if (rows.length >= deps.settings.mfa.maxEnrolledFactors || verified >= MAX_VERIFIED_FACTORS) {
    throw unprocessable('too_many_enrolled_mfa_factors', 'Maximum number of verified factors reached, unenroll to continue');
  }
  if (verified > 0 && session.aal !== 'aal2') throw forbidden('insufficient_aal', 'AAL2 required to enroll a new factor');
}

/** POST /factors {factor_type: totp, friendly_name?, issuer?}: an unverified factor, its secret and QR code. */
export async function enrollFactor(c: Context, deps: AuthDeps): Promise<Response> {
  const { user, session } = await mfaCaller(c, deps, 'enroll a factor');
  const body = await readJson(c);
  const type = str(body, 'factor_type');
  if (!(FACTOR_TYPES as readonly string[]).includes(type)) throw badRequest('validation_failed', BAD_FACTOR_TYPE);
  // Phone needs an SMS provider and WebAuthn a relying party; neither is configurable here yet.
  if (type !== 'totp' || !deps.settings.mfa.totp.enroll) throw disabledFor('enroll', type);
  const friendlyName = str(body, 'friendly_name');
  let issuer = str(body, 'issuer');
  if (!issuer) {
    try {
      issuer = new URL(deps.settings.siteUrl).host;
    } catch {
      throw new AuthError(500, 'unexpected_failure', 'site url is improperly formatted');
    }
  }
  const totp = new OTPAuth.TOTP({ issuer, label: user.email ?? '', algorithm: 'SHA1', digits: 6, period: 30, secret: new OTPAuth.Secret({ size: 20 }) });
  const uri = totp.toString();
  let qrCode: string;
  try {
    qrCode = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'H' });
  } catch {
    // Only an issuer or address too long for any QR code gets here: the caller's input, so a 400.
    throw badRequest('validation_failed', 'Error generating QR Code: the issuer and account name are too long');
  }
  const factorId = randomUUID();
  await transaction(deps.db, async (tx) => {
    await tx.query('select 1 from auth.users where id = $1 for update', [user.id]);
    await validateFactors(tx, deps, user, friendlyName, session);
    await tx.query(
      `insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
       values ($1, $2, $3, 'totp', 'unverified', now(), now(), $4)`,
      [factorId, user.id, friendlyName, totp.secret.base32],
    );
    await audit(tx, user, 'factor_in_progress', clientIp(c), { factor_id: factorId });
  });
  return c.json({ id: factorId, type: 'totp', friendly_name: friendlyName, totp: { qr_code: qrCode, secret: totp.secret.base32, uri } });
}

/** POST /factors/:factor_id/challenge: a challenge bound to the caller's address, for 300 s. */
export async function challengeFactor(c: Context, deps: AuthDeps): Promise<Response> {
  const { user } = await mfaCaller(c, deps, 'challenge a factor');
  const factor = await loadFactor(deps.db, user.id, c.req.param('factor_id') ?? '');
  if (factor.factor_type !== 'totp' || !deps.settings.mfa.totp.verify) throw disabledFor('verification', factor.factor_type);
  const ip = clientIp(c);
  const challenge = await transaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ id: string; created_at: Date }>(
      `insert into auth.mfa_challenges (id, factor_id, created_at, ip_address) values ($1, $2, clock_timestamp(), $3) returning id, created_at`,
      [randomUUID(), factor.id, ip],
    );
    await tx.query('update auth.mfa_factors set last_challenged_at = $2 where id = $1', [factor.id, rows[0].created_at]);
    await audit(tx, user, 'challenge_created', ip, { factor_id: factor.id, factor_status: factor.status });
    return rows[0];
  });
  return c.json({ id: challenge.id, type: factor.factor_type, expires_at: Math.floor(challenge.created_at.getTime() / 1000) + CHALLENGE_EXPIRY_SECONDS });
}

interface ChallengeRow {
  id: string;
  factor_id: string;
  created_at: Date;
  verified_at: Date | null;
  ip_address: string;
}

/** POST /factors/:factor_id/verify {challenge_id, code}: the session raised to aal2, with new tokens. */
export async function verifyFactor(c: Context, deps: AuthDeps): Promise<Response> {
  const { user, session } = await mfaCaller(c, deps, 'verify a factor');
  const factor = await loadFactor(deps.db, user.id, c.req.param('factor_id') ?? '');
  const body = await readJson(c);
  const code = str(body, 'code');
  const challengeId = str(body, 'challenge_id');
  if (!code) throw badRequest('validation_failed', 'Code needs to be non-empty');
  if (factor.factor_type !== 'totp' || !deps.settings.mfa.totp.verify) throw disabledFor('verification', factor.factor_type);
  const ip = clientIp(c);
  const notFoundErr = () => unprocessable('mfa_factor_not_found', 'MFA factor with the provided challenge ID not found');
  const outcome = await transaction(deps.db, async (tx) => {
    if (!UUID_RE.test(challengeId)) throw notFoundErr();
    // The challenge row lock makes a challenge good for one verification however many race.
    const { rows } = await tx.query<ChallengeRow>(
      'select id, factor_id, created_at, verified_at, host(ip_address) as ip_address from auth.mfa_challenges where id = $1 and factor_id = $2 for update',
      [challengeId, factor.id],
    );
    const challenge = rows[0];
    if (!challenge) throw notFoundErr();
    if (challenge.verified_at || challenge.ip_address !== ip) throw unprocessable('mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
    if (Date.now() > challenge.created_at.getTime() + CHALLENGE_EXPIRY_SECONDS * 1000) {
      await tx.query('delete from auth.mfa_challenges where id = $1', [challenge.id]);
      // returned, not thrown, so that the expired challenge's removal commits
      return { refused: unprocessable('mfa_challenge_expired', `MFA challenge ${challenge.id} has expired, verify against another challenge or create a new challenge.`) };
    }
    // pquerna/otp's ValidateCustom with Skew 1: the current 30 s step or either neighbour.
    const totp = new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(factor.secret ?? '') });
    if (totp.validate({ token: code, window: 1 }) === null) return { refused: unprocessable('mfa_verification_failed', 'Invalid TOTP code entered') };

    await audit(tx, user, 'verification_attempted', ip, { factor_id: factor.id, challenge_id: challenge.id, factor_type: factor.factor_type });
    await tx.query('update auth.mfa_challenges set verified_at = now() where id = $1', [challenge.id]);
    if (factor.status !== 'verified') await tx.query("update auth.mfa_factors set status = 'verified', updated_at = now() where id = $1", [factor.id]);
    return { ok: await raiseSession(tx, deps, user.id, session.id, factor, ip) };
  });
  if ('refused' in outcome) throw outcome.refused;
  return c.json(outcome.ok);
}

/**
 * updateMFASessionAndClaims: the method recorded on the session, its refresh token swapped (the
 * aal1 token no longer refreshes into this level), aal and factor set; then, as GoTrue, the
 * user's sessions below aal2 end and unverified factors of this type go.
 */
async function raiseSession(tx: Tx, deps: AuthDeps, userId: string, sessionId: string, factor: FactorRow, ip: string) {
  const locked = await tx.query('select id from auth.sessions where id = $1 for update', [sessionId]);
  if (!locked.rows[0]) throw forbidden('session_not_found', MESSAGES.sessionMissing);
  await tx.query(
    `insert into auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
     values ($1, now(), now(), 'totp', $2)
     on conflict (session_id, authentication_method) do update set updated_at = excluded.updated_at`,
    [sessionId, randomUUID()],
  );
  const current = (
    await tx.query<RefreshTokenRow>('select * from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1 for update', [sessionId])
  ).rows[0];
  if (!current) throw forbidden('session_not_found', MESSAGES.sessionMissing);
  const issued = await swapRefreshToken(tx, current);
  await tx.query("update auth.sessions set aal = 'aal2', factor_id = $2, updated_at = now() where id = $1", [sessionId, factor.id]);
  const response = await tokenResponse(tx, deps.settings, userId, issued, { method: 'totp', ip });
  await tx.query("delete from auth.sessions where user_id = $1 and aal < 'aal2'", [userId]);
  await tx.query("delete from auth.mfa_factors where user_id = $1 and status = 'unverified' and factor_type = $2", [userId, factor.factor_type]);
  return response;
}

/** DowngradeSessionsToAAL1: sessions raised by this factor lose its amr entry and go back to aal1. */
async function downgradeSessions(tx: Tx, factor: FactorRow): Promise<void> {
  await tx.query(
    `delete from auth.mfa_amr_claims where authentication_method = $2
        and session_id in (select id from auth.sessions where factor_id = $1)`,
    [factor.id, factor.factor_type === 'totp' ? 'totp' : `mfa/${factor.factor_type}`],
  );
  await tx.query("update auth.sessions set aal = 'aal1', factor_id = null, updated_at = now() where user_id = $2 and factor_id = $1", [factor.id, factor.user_id]);
}

/** DELETE /factors/:factor_id: a verified factor only from an aal2 session. */
export async function unenrollFactor(c: Context, deps: AuthDeps): Promise<Response> {
  const { user, session } = await mfaCaller(c, deps, 'unenroll a factor');
  const factor = await transaction(deps.db, async (tx) => {
    const f = await loadFactor(tx, user.id, c.req.param('factor_id') ?? '', true);
    if (f.status === 'verified' && session.aal !== 'aal2') throw unprocessable('insufficient_aal', 'AAL2 required to unenroll verified factor');
    await tx.query('delete from auth.mfa_factors where id = $1', [f.id]);
    await audit(tx, user, 'factor_unenrolled', clientIp(c), { factor_id: f.id, factor_status: f.status, session_id: session.id });
    await downgradeSessions(tx, f);
    return f;
  });
  return c.json({ id: factor.id });
}

async function adminUser(c: Context, deps: AuthDeps, db: Db | Tx = deps.db): Promise<UserRow> {
  await requireAdmin(c, deps.settings);
  const id = c.req.param('id') ?? '';
  if (!UUID_RE.test(id)) throw notFound('validation_failed', MESSAGES.userIdNotUuid);
  const user = await findUserById(db, id);
  if (!user) throw notFound('user_not_found', MESSAGES.userNotFound);
  return user;
}

/** GET /admin/users/:id/factors */
export async function adminListFactors(c: Context, deps: AuthDeps): Promise<Response> {
  const user = await adminUser(c, deps);
  const { rows } = await deps.db.query<FactorRow>('select * from auth.mfa_factors where user_id = $1 order by created_at', [user.id]);
  return c.json(rows.map(factorJson));
}

/** DELETE /admin/users/:id/factors/:factor_id: the factor gone and its sessions back to aal1. */
export async function adminDeleteFactor(c: Context, deps: AuthDeps): Promise<Response> {
  const user = await adminUser(c, deps);
  const factor = await transaction(deps.db, async (tx) => {
    const f = await loadFactor(tx, user.id, c.req.param('factor_id') ?? '', true);
    await audit(tx, user, 'factor_deleted', clientIp(c), { user_id: user.id, factor_id: f.id });
    await tx.query('delete from auth.mfa_factors where id = $1', [f.id]);
    await downgradeSessions(tx, f);
    return f;
  });
  return c.json(factorJson(factor));
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/factors': {
    post: {
      tags, operationId: 'auth_mfa_enroll', summary: 'Enroll a TOTP factor (MFA)', security: doc.security.user,
      description: 'Needs `[auth.mfa.totp] enroll_enabled`. With a verified factor already, only an aal2 session may enroll another.',
      requestBody: doc.jsonBody(doc.obj({ factor_type: doc.str(undefined, { enum: ['totp', 'phone', 'webauthn'] }), friendly_name: doc.str(), issuer: doc.str() }, ['factor_type'])),
      responses: { 200: doc.json(doc.obj({ id: doc.str(), type: doc.str(), friendly_name: doc.str(), totp: doc.obj({ qr_code: doc.str('SVG'), secret: doc.str('base32'), uri: doc.str('otpauth:// URI') }) })), 403: authError, ...errors },
    },
  },
  '/auth/v1/factors/{factor_id}/challenge': {
    parameters: [factorPath],
    post: {
      tags, operationId: 'auth_mfa_challenge', summary: 'Start a challenge for a factor', security: doc.security.user,
      responses: { 200: doc.json(doc.obj({ id: doc.str(), type: doc.str(), expires_at: doc.int('unix time') })), 404: authError, ...errors },
    },
  },
  '/auth/v1/factors/{factor_id}/verify': {
    parameters: [factorPath],
    post: {
      tags, operationId: 'auth_mfa_verify', summary: 'Verify a challenge with a TOTP code; the session becomes aal2', security: doc.security.user,
      requestBody: doc.jsonBody(doc.obj({ challenge_id: doc.str(undefined, { format: 'uuid' }), code: doc.str() }, ['challenge_id', 'code'])),
      responses: { 200: doc.json(doc.ref('Session')), 404: authError, ...errors },
    },
  },
  '/auth/v1/factors/{factor_id}': {
    parameters: [factorPath],
    delete: {
      tags, operationId: 'auth_mfa_unenroll', summary: 'Unenroll a factor (a verified one needs an aal2 session)', security: doc.security.user,
      responses: { 200: doc.json(doc.obj({ id: doc.str() })), 404: authError, ...errors },
    },
  },
  '/auth/v1/admin/users/{id}/factors': {
    parameters: [userIdParam],
    get: { tags, operationId: 'auth_admin_list_factors', summary: 'List a user\'s MFA factors (admin)', description: adminNote, security: doc.security.serviceRole, responses: { 200: doc.json(doc.arr(doc.ref('Factor'))), 404: authError, ...errors } },
  },
  '/auth/v1/admin/users/{id}/factors/{factor_id}': {
    parameters: [userIdParam, factorPath],
    delete: { tags, operationId: 'auth_admin_delete_factor', summary: 'Delete a user\'s MFA factor (admin); its sessions drop to aal1', description: adminNote, security: doc.security.serviceRole, responses: { 200: doc.json(doc.ref('Factor')), 404: authError, ...errors } },
  },
};
