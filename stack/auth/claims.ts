import type { Tx } from './db.js';
import { HookError, invokeHook } from './hooks.js';
import type { AccessTokenClaims } from './jwt.js';
import type { AuthSettings } from './settings.js';
import type { UserRow } from './users.js';

/** Methods that make a session aal2 (AMRClaim.IsAAL2Claim). */
const AAL2_METHODS = new Set(['totp', 'mfa/phone', 'mfa/webauthn']);

export interface AmrEntry {
  method: string;
  timestamp: number;
}

/** Session.CalculateAALAndAMR: the session's recorded methods, newest first, and the level they reach. */
export async function sessionAalAndAmr(tx: Tx, sessionId: string): Promise<{ aal: 'aal1' | 'aal2'; amr: AmrEntry[] }> {
  const { rows } = await tx.query<{ authentication_method: string; updated_at: Date }>(
    'select authentication_method, updated_at from auth.mfa_amr_claims where session_id = $1 order by updated_at desc',
    [sessionId],
  );
  const amr = rows.map((r) => ({ method: r.authentication_method, timestamp: Math.floor(r.updated_at.getTime() / 1000) }));
  return { aal: rows.some((r) => AAL2_METHODS.has(r.authentication_method)) ? 'aal2' : 'aal1', amr };
}

// GoTrue's MinimumViableTokenSchema: what a hook's claims must still hold.
const REQUIRED = ['aud', 'exp', 'iat', 'sub', 'email', 'phone', 'role', 'aal', 'session_id', 'is_anonymous'];
const TYPES: [string, string[]][] = [
  ['aud', ['string', 'array']],
  ['exp', ['integer']],
  ['jti', ['string']],
  ['iat', ['integer']],
  ['iss', ['string']],
  ['nbf', ['integer']],
  ['sub', ['string']],
  ['email', ['string']],
  ['phone', ['string']],
  ['app_metadata', ['object']],
  ['user_metadata', ['object']],
  ['role', ['string']],
  ['aal', ['string']],
  ['amr', ['array']],
  ['session_id', ['string']],
  ['client_id', ['string']],
];

/** A JSON value's type as JSON Schema names it. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** validateTokenClaims: the schema's failures listed one per line, as a 500. */
function validateTokenClaims(claims: unknown): Record<string, unknown> {
  const problems: string[] = [];
  if (jsonType(claims) !== 'object') {
    problems.push(`(root): Invalid type. Expected: object, given: ${jsonType(claims)}`);
  } else {
    const c = claims as Record<string, unknown>;
    for (const key of REQUIRED) if (!(key in c)) problems.push(`(root): ${key} is required`);
    for (const [key, types] of TYPES) {
      if (!(key in c)) continue;
      const t = jsonType(c[key]);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) problems.push(`${key}: Invalid type. Expected: ${types.join('/')}, given: ${t}`);
    }
    if (Array.isArray(c.amr)) {
      c.amr.forEach((entry, i) => {
        const t = jsonType(entry);
        if (t !== 'string' && t !== 'object') problems.push(`amr.${i}: Must validate at least one schema (anyOf)`);
      });
    }
  }
  if (problems.length) {
    throw new HookError(500, 'unexpected_failure', `output claims do not conform to the expected schema: \n${problems.map((p) => `- ${p}\n`).join('')}`);
  }
  return claims as Record<string, unknown>;
}

/** CustomAccessTokenOutput's decoding: `claims` must be there, and be an object. */
function claimsOfOutput(output: unknown): unknown {
  if (jsonType(output) !== 'object') {
    // GoTrue decodes the function's result into a struct: null leaves the claims unset, any other
    // non-object fails to decode.
    if (output === null) return null;
    throw new HookError(500, 'unexpected_failure', 'Error unmarshaling JSON output.');
  }
  const o = output as Record<string, unknown>;
  if (!('claims' in o)) throw new HookError(500, 'unexpected_failure', 'output claims field is missing');
  if (o.claims !== null && jsonType(o.claims) !== 'object') throw new HookError(500, 'unexpected_failure', 'Error unmarshaling JSON output.');
  return o.claims;
}

export interface ClaimsContext {
  /** How this token came about (the hook's authentication_method): password, otp, token_refresh, totp, ... */
  method: string;
  ip: string | null;
}

/**
 * Everything that goes into an access token (GenerateAccessToken): GoTrue's claims with aal and
 * amr from the session, then the custom access token hook's claims in their place when enabled.
 */
export async function buildAccessTokenClaims(
  tx: Tx,
  settings: AuthSettings,
  user: UserRow,
  sessionId: string,
  context: ClaimsContext,
): Promise<{ claims: AccessTokenClaims; expiresAt: number }> {
  const { aal, amr } = await sessionAalAndAmr(tx, sessionId);
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + settings.jwtExpiry;
  const claims: AccessTokenClaims = {
    iss: settings.jwtIssuer,
    sub: user.id,
    aud: user.aud ?? '',
    exp,
    iat,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? '',
    aal,
    amr,
    session_id: sessionId,
    is_anonymous: user.is_anonymous,
  };
  if (!settings.hooks.custom_access_token) return { claims, expiresAt: exp };
  const output = await invokeHook(tx, settings, 'custom_access_token', { user_id: user.id, claims, authentication_method: context.method }, context.ip);
  return { claims: validateTokenClaims(claimsOfOutput(output)) as AccessTokenClaims, expiresAt: exp };
}
