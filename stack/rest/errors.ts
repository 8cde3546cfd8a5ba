import { withoutPaths } from '../errors.js';
/**
 * PostgREST's errors: every failure is a value with an HTTP status and the JSON body
 * `{code, message, details, hint}`, grouped by code family as PostgREST does
 * (PGRST1xx request, PGRST2xx schema cache, PGRST3xx JWT; SQLSTATEs passed through).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly hint: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { code: string; details: unknown; hint: unknown; message: string } {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

// PGRST1xx: the HTTP request itself.
export const queryParamError = (message: string, details: string) => new ApiError(400, 'PGRST100', message, details);
export const invalidRpcMethod = (method: string) => new ApiError(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
export const invalidBody = (message: string) => new ApiError(400, 'PGRST102', message);
export const invalidRange = (details: string) => new ApiError(416, 'PGRST103', 'Requested range not satisfiable', details);
export const invalidPutFilters = () =>
  new ApiError(405, 'PGRST105', "Filters must include all and only primary key columns with 'eq' operators");
export const unacceptableSchema = (schema: string, exposed: string[]) =>
  new ApiError(406, 'PGRST106', `Invalid schema: ${schema}`, null, `Only the following schemas are exposed: ${exposed.join(', ')}`);
export const unacceptableMediaType = (types: string[]) =>
  new ApiError(406, 'PGRST107', `None of these media types are available: ${types.join(', ')}`);
export const unsupportedContentType = (type: string) =>
  new ApiError(415, 'PGRST107', `None of these media types are available: ${type}`);
export const notEmbedded = (resource: string) =>
  new ApiError(400, 'PGRST108', `'${resource}' is not an embedded resource in this request`, null,
    `Verify that '${resource}' is included in the 'select' query parameter.`);
export const gucHeadersError = () =>
  new ApiError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value');
export const gucStatusError = () => new ApiError(500, 'PGRST112', 'response.status guc must be a valid status code');
export const putLimitNotAllowed = () =>
  new ApiError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT');
export const putMatchingPk = () => new ApiError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)');
export const singularityError = (n: number) =>
  new ApiError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${n} rows`);
export const unsupportedMethod = (method: string) => new ApiError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
export const relatedOrderNotToOne = (origin: string, target: string) =>
  new ApiError(400, 'PGRST118', `A related order on '${target}' is not possible`, `'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`);
export const unacceptableFilter = (target: string) =>
  new ApiError(400, 'PGRST120', `Bad operator on the '${target}' embedded resource`, 'Only is null or not is null filters are allowed on embedded resources');
export const pgrstRaiseParseError = (details: string, hint: string) =>
  new ApiError(500, 'PGRST121', 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error', details, hint);
export const invalidPreferences = (prefs: string[]) =>
  new ApiError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefs.join(', ')}`);
export const aggregatesNotAllowed = () => new ApiError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
export const maxAffectedViolation = (n: number) =>
  new ApiError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${n} rows`);
export const invalidResourcePath = () => new ApiError(404, 'PGRST125', 'Invalid path specified in request URL');
export const notImplemented = (details: string) => new ApiError(400, 'PGRST127', 'Feature not implemented', details);
export const maxAffectedRpcViolation = () =>
  new ApiError(400, 'PGRST128', 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict');

// PGRST2xx: resolving the request against the schema cache.
export const noRelationship = (parent: string, child: string, hintName: string | undefined, schema: string, hint: string | null = null) =>
  new ApiError(400, 'PGRST200', `Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
    `Searched for a foreign key relationship between '${parent}' and '${child}'${hintName ? ` using the hint '${hintName}'` : ''} in the schema '${schema}', but no matches were found.`,
    hint);
export const ambiguousRelationship = (parent: string, child: string, details: unknown[], hint: string) =>
  new ApiError(300, 'PGRST201', `Could not embed because more than one relationship was found for '${parent}' and '${child}'`, details, hint);
export const noFunction = (message: string, details: string, hint: string | null) =>
  new ApiError(404, 'PGRST202', message, details, hint);
export const ambiguousFunction = (message: string) =>
  new ApiError(300, 'PGRST203', message, null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved');
export const columnNotFound = (relation: string, column: string) =>
  new ApiError(400, 'PGRST204', `Could not find the '${column}' column of '${relation}' in the schema cache`);
export const tableNotFound = (schema: string, name: string, hint: string | null = null) =>
  new ApiError(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, null, hint);
export const schemaCacheNotLoaded = () =>
  new ApiError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.');

// PGRST3xx: the JWT.
const invalidToken = (message: string) => ({ 'WWW-Authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(message)}` });
export const jwtDecodeError = (message: string, details: string | null = null) =>
  new ApiError(401, 'PGRST301', message, details, null, invalidToken(message));
export const jwtClaimsError = (message: string) => new ApiError(401, 'PGRST303', message, null, null, invalidToken(message));

/** The subset of a node-postgres DatabaseError we read. */
interface PgErrorLike {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
}

function isPgError(err: unknown): err is PgErrorLike & Error {
  return err instanceof Error && typeof (err as PgErrorLike).code === 'string' && 'severity' in err;
}

/** PostgREST's SQLSTATE → HTTP status table (docs/references/errors.rst, Error.hs mapSQLtoHTTP). */
export function statusForSqlState(code: string, message: string, authenticated: boolean): number {
  const two = code.slice(0, 2);
  if (two === '08') return 503;
  if (two === '09') return 500;
  if (two === '0L' || two === '0P') return 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  if (['25', '2D', '38', '39', '3B', '40', '54', '55', '58', 'F0', 'HV', 'XX'].includes(two)) return 500;
  if (two === '28') return 403;
  if (code === '53400') return 500;
  if (two === '53') return 503;
  if (code === '57P01') return 503;
  if (two === '57') return 500;
  if (code === 'P0001') return 400;
  if (two === 'P0') return 500;
  if (code === '42883') return 404;
  if (code === '42P01') return 404;
  if (code === '42P17') return 500;
  if (code === '42501') return authenticated ? 403 : 401;
  if (two === 'PT') {
    const n = Number(code.slice(2));
    return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 500;
  }
  return 400;
}

/** `RAISE SQLSTATE 'PGRST'` gives the function full control of code, message, status and headers. */
function fromRaisePgrst(err: PgErrorLike): ApiError {
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(err.message);
    if (!msg || typeof msg !== 'object' || typeof msg.code !== 'string' || typeof msg.message !== 'string') throw new Error();
  } catch {
    return pgrstRaiseParseError(`Invalid JSON value for MESSAGE: '${err.message}'`,
      "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.");
  }
  if (err.detail === undefined) {
    return pgrstRaiseParseError('DETAIL is missing in the RAISE statement',
      "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.");
  }
  let det: Record<string, unknown>;
  try {
    det = JSON.parse(err.detail);
    if (!det || typeof det !== 'object' || typeof det.status !== 'number' || !det.headers || typeof det.headers !== 'object') throw new Error();
  } catch {
    return pgrstRaiseParseError(`Invalid JSON value for DETAIL: '${err.detail}'`,
      "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.");
  }
  const headers = Object.fromEntries(Object.entries(det.headers as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  return new ApiError(det.status as number, msg.code as string, msg.message as string, msg.details ?? null, msg.hint ?? null, headers);
}

/** Turns whatever a request threw into the error PostgREST would answer with. */
export function toApiError(err: unknown, authenticated: boolean): ApiError {
  if (err instanceof ApiError) return err;
  if (isPgError(err)) {
    const code = err.code ?? 'XX000';
    if (code === 'PGRST') return fromRaisePgrst(err);
    const status = statusForSqlState(code, err.message, authenticated);
    return new ApiError(status, code, err.message, err.detail ?? null, err.hint ?? null,
      status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
  }
  const message = (err as Error)?.message ?? String(err);
  // Pool exhaustion or a lost connection: PostgREST's connection errors.
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return new ApiError(504, 'PGRST003', 'Timed out acquiring connection from connection pool.');
  }
  if (/ECONNREFUSED|Connection terminated|connection error/i.test(message)) {
    return new ApiError(503, 'PGRST000', 'Database connection error. Retrying the connection.', withoutPaths(message));
  }
  return new ApiError(500, 'PGRSTX00', message);
}
