import { randomUUID } from 'node:crypto';
import type { DatabaseError } from 'pg';
import type { Tx } from './db.js';
import { AuthError, type ErrorCode } from './errors.js';
import type { AuthSettings, HookConfig, HookName } from './settings.js';

/** GoTrue's hook metadata names (v0hooks Name), by config.toml hook name. */
const METADATA_NAMES: Record<HookName, string> = {
  custom_access_token: 'customize-access-token',
  before_user_created: 'before-user-created',
  mfa_verification_attempt: 'mfa-verification',
  password_verification_attempt: 'password-verification',
  send_sms: 'send-sms',
  send_email: 'send-email',
};

/** GoTrue's default hook timeout: the function runs under a 2 s statement_timeout. */
const HOOK_TIMEOUT_MS = 2000;

/**
 * A hook failure as GoTrue reports it: an HTTPError that may carry the Postgres error behind it,
 * which GoTrue shows to clients of the initial API version when its SQLSTATE is a public one.
 */
export class HookError extends AuthError {
  constructor(
    status: number,
    errorCode: ErrorCode,
    message: string,
    readonly postgres: { code: string; status: number; message: string; hint?: string; detail?: string } | null = null,
  ) {
    super(status, errorCode, message);
    this.name = 'HookError';
  }
}

/** utilities.NewPostgresError: raised and constraint errors are shown (500), PTxyz gives status xyz. */
function publicPostgresError(err: DatabaseError): HookError['postgres'] {
  const code = err.code ?? '';
  let status = 0;
  if (['P0001', '23000', '23001', '23502', '23503', '23505', '23514', '23P01'].includes(code)) status = 500;
  else if (/^PT\d+$/.test(code)) status = Number(code.slice(2));
  if (!status) return null;
  return { code, status, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.detail ? { detail: err.detail } : {}) };
}

/** hookserrors.Check: an `error` object with a message is the hook's refusal (http_code, else 500). */
function hookRefusal(output: unknown): HookError | null {
  if (!output || typeof output !== 'object' || Array.isArray(output)) return null;
  const e = (output as Record<string, unknown>).error;
  if (!e || typeof e !== 'object' || Array.isArray(e)) return null;
  const message = (e as Record<string, unknown>).message;
  if (typeof message !== 'string' || message === '') return null;
  const code = (e as Record<string, unknown>).http_code;
  const status = typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : 500;
  return new HookError(status, status === 500 ? 'unexpected_failure' : 'unknown', message);
}

/**
 * Calls a pg-functions:// hook inside the caller's transaction, as the role the auth server
 * connects as (supabase_auth_admin), with GoTrue's timeout. A savepoint keeps a failing hook
 * from poisoning the transaction for the error path; the caller's transaction is still rolled
 * back by the error, as GoTrue's is.
 */
async function runPgFunction(tx: Tx, hook: HookConfig, input: unknown): Promise<unknown> {
  await tx.query('savepoint auth_hook');
  try {
    await tx.query(`set local statement_timeout = ${HOOK_TIMEOUT_MS}`);
    const { rows } = await tx.query<{ output: unknown }>(`select ${hook.functionName}($1) as output`, [JSON.stringify(input)]);
    await tx.query('set local statement_timeout to default');
    await tx.query('release savepoint auth_hook');
    const output = rows[0]?.output ?? null;
    // A json/text result arrives as a string: GoTrue reads the bytes as JSON.
    if (typeof output === 'string') {
      try {
        return JSON.parse(output) as unknown;
      } catch {
        throw new HookError(500, 'unexpected_failure', 'Error unmarshaling JSON output.');
      }
    }
    return output;
  } catch (err) {
    if (err instanceof HookError) throw err;
    await tx.query('rollback to savepoint auth_hook').catch(() => undefined);
    const pgErr = err as DatabaseError;
    throw new HookError(500, 'unexpected_failure', `Error running hook URI: ${hook.uri}`, pgErr?.code ? publicPostgresError(pgErr) : null);
  }
}

/**
 * Runs the named hook when it is enabled (Manager.InvokeHook): null when it is not, else the
 * hook's output, with a refusal in it turned into the error GoTrue answers.
 */
export async function invokeHook(tx: Tx, settings: AuthSettings, name: HookName, input: Record<string, unknown>, ip: string | null): Promise<unknown> {
  const hook = settings.hooks[name];
  if (!hook) return null;
  const metadata = { uuid: randomUUID(), time: new Date().toISOString(), name: METADATA_NAMES[name], ...(ip ? { ip_address: ip } : {}) };
  const output = await runPgFunction(tx, hook, { metadata, ...input });
  const refusal = hookRefusal(output);
  if (refusal) throw refusal;
  return output;
}
