import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { audit } from './audit.js';
import { transaction, type Tx } from './db.js';
import type { AuthDeps } from './deps.js';
import { badRequest, notFound, unprocessable } from './errors.js';
import { clientInfo, readJson, str, type Body } from './request.js';
import { issueSession, type AuthMethod, type TokenResponse } from './sessions.js';
import { findUserById } from './users.js';

/** Tokens mailed for a PKCE flow carry this prefix, in the link and in the stored hash (GoTrue's PKCEPrefix). */
export const PKCE_PREFIX = 'pkce_';

/** GoTrue's default FlowStateExpiryDuration (it refuses shorter ones). */
const FLOW_STATE_EXPIRY_SECONDS = 300;

export interface PkceParams {
  challenge: string;
  method: 's256' | 'plain';
}

/**
 * validatePKCEParams: both code_challenge and code_challenge_method or neither; RFC 7636's
 * length and alphabet. Null means the implicit flow.
 */
export function pkceParams(body: Body): PkceParams | null {
  const challenge = str(body, 'code_challenge');
  const method = str(body, 'code_challenge_method');
  if (!challenge !== !method) throw badRequest('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
  if (!challenge) return null;
  if (challenge.length < 43 || challenge.length > 128) throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
  if (!/^[a-zA-Z._~0-9-]+$/.test(challenge)) {
    throw badRequest('validation_failed', 'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes');
  }
  const m = method.toLowerCase();
  // GoTrue fails here with a 500 (its parse error is unwrapped); a 400 says what is wrong.
  if (m !== 's256' && m !== 'plain') throw badRequest('validation_failed', `unsupported code_challenge method "${method}"`);
  return { challenge, method: m };
}

/** addFlowPrefixToToken: the stored and mailed hash of a PKCE flow starts with pkce_. */
export const withFlowPrefix = (hash: string, pkce: PkceParams | null) => (pkce ? PKCE_PREFIX + hash : hash);

/** generateFlowState: a row the later /verify hands out an auth code from. */
export async function startFlow(tx: Tx, userId: string, providerType: string, method: AuthMethod, pkce: PkceParams): Promise<void> {
  // Flows never completed would pile up; GoTrue's cleanup drops them after a day too.
  await tx.query("delete from auth.flow_state where created_at < now() - interval '24 hours'");
  await tx.query(
    `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, authentication_method, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, now(), now())`,
    [randomUUID(), userId, randomUUID(), pkce.method, pkce.challenge, providerType, method],
  );
}

/** The flow-state authentication method a verification type completes (ParseAuthenticationMethod). */
export function flowMethodOf(type: string): AuthMethod {
  if (type.endsWith('signup')) return 'email/signup';
  return type as AuthMethod;
}

/** issueAuthCode: the latest flow of this user and method, stamped with the time its code went out. */
export async function issueAuthCode(tx: Tx, userId: string, method: AuthMethod): Promise<string> {
  const { rows } = await tx.query<{ id: string; auth_code: string | null; code_challenge: string | null }>(
    'select id, auth_code, code_challenge from auth.flow_state where user_id = $1 and authentication_method = $2 order by created_at desc limit 1',
    [userId, method],
  );
  const flow = rows[0];
  if (!flow) throw badRequest('flow_state_not_found', 'No associated flow state found. No valid flow state found for user.');
  if (!flow.code_challenge || !flow.auth_code) {
    throw badRequest('flow_state_not_found', 'No associated flow state found. Flow state does not have an auth code (not a PKCE flow).');
  }
  await tx.query('update auth.flow_state set auth_code_issued_at = now(), updated_at = now() where id = $1', [flow.id]);
  return flow.auth_code;
}

function verifierMatches(challenge: string, method: string, verifier: string): boolean {
  const expected = method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(challenge);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface FlowRow {
  id: string;
  user_id: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  provider_type: string;
  authentication_method: string;
  created_at: Date;
  auth_code_issued_at: Date | null;
}

/** FlowState.IsExpired: a magic link's flow counts from when its code went out, others from creation. */
function flowExpired(flow: FlowRow): boolean {
  const from = flow.auth_code_issued_at && flow.authentication_method === 'magiclink' ? flow.auth_code_issued_at : flow.created_at;
  return Date.now() > from.getTime() + FLOW_STATE_EXPIRY_SECONDS * 1000;
}

/** POST /token?grant_type=pkce {auth_code, code_verifier}: the flow's session, once. */
export async function pkceGrant(c: Context, deps: AuthDeps): Promise<TokenResponse> {
  const body = await readJson(c);
  const authCode = str(body, 'auth_code');
  const verifier = str(body, 'code_verifier');
  if (!authCode || !verifier) throw badRequest('validation_failed', 'invalid request: both auth code and code verifier should be non-empty');
  const notFoundErr = () => notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
  return transaction(deps.db, async (tx) => {
    // The row lock makes the code single-use under concurrent exchanges: the loser finds no row.
    const { rows } = authCode.includes('\u0000')
      ? { rows: [] as FlowRow[] }
      : await tx.query<FlowRow>('select * from auth.flow_state where auth_code = $1 limit 1 for update', [authCode]);
    const flow = rows[0];
    if (!flow?.user_id) throw notFoundErr();
    if (flowExpired(flow)) throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
    const user = await findUserById(tx, flow.user_id);
    if (!user) throw notFoundErr();
    if (!flow.code_challenge || !flow.code_challenge_method) throw badRequest('bad_code_verifier', 'PKCE verification not applicable for implicit flow');
    if (!verifierMatches(flow.code_challenge, flow.code_challenge_method, verifier)) {
      throw badRequest('bad_code_verifier', 'code challenge does not match previously saved code verifier');
    }
    await audit(tx, user, 'login', clientInfo(c).ip, { provider_type: flow.provider_type });
    const session = await issueSession(tx, deps.settings, user.id, flow.authentication_method as AuthMethod, clientInfo(c));
    await tx.query('delete from auth.flow_state where id = $1', [flow.id]);
    return session;
  });
}
