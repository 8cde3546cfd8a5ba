import { isPoolTimeout } from '../db/component-pools.js';

/**
 * Storage's errors as Supabase Storage renders them: HTTP 400 for every client error (500 for
 * server faults) and the real status in the body's `statusCode` string, next to `code`,
 * `error` and `message` (src/internal/errors/codes.ts + storage-error.ts in supabase/storage).
 */
export class StorageError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly error?: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }

  /** What Storage sends: server faults keep their status, every client failure is a 400. */
  get httpStatus(): number {
    return this.statusCode >= 500 ? this.statusCode : 400;
  }

  render() {
    return { statusCode: String(this.statusCode), code: this.code, error: this.error ?? this.code, message: this.message };
  }
}

const make = (code: string, status: number, message: string, error?: string) => new StorageError(code, status, message, error);

export const ERRORS = {
  noSuchBucket: () => make('NoSuchBucket', 404, 'Bucket not found', 'Bucket not found'),
  noSuchKey: () => make('NoSuchKey', 404, 'Object not found', 'not_found'),
  bucketNotEmpty: () => make('InvalidRequest', 409, 'The bucket you tried to delete is not empty'),
  bucketAlreadyExists: () => make('BucketAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
  keyAlreadyExists: () => make('KeyAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
  invalidBucketName: () => make('InvalidBucketName', 400, 'Bucket name invalid', 'Invalid Input'),
  invalidKey: (key: string) => make('InvalidKey', 400, `Invalid key: ${key}`),
  invalidJwt: (message = 'Invalid JWT') => make('InvalidJWT', 400, message),
  // Storage's header schema refuses it (a Fastify validation error, whose name is 'Error').
  missingAuthorization: () => make('InvalidRequest', 400, "headers must have required property 'authorization'", 'Error'),
  invalidSignature: () => make('InvalidSignature', 400, 'Invalid signature'),
  accessDenied: (message = 'Access denied') => make('AccessDenied', 403, message, 'Unauthorized'),
  // a JSON body over [storage]'s request cap (Fastify's bodyLimit in Storage)
  bodyTooLarge: () => make('EntityTooLarge', 413, 'Request body is too large', 'Payload too large'),
  entityTooLarge: () => make('EntityTooLarge', 413, 'The object exceeded the maximum allowed size', 'Payload too large'),
  invalidMimeType: (mime: string) => make('InvalidMimeType', 415, `mime type ${mime} is not supported`, 'invalid_mime_type'),
  invalidRange: () => make('InvalidRange', 400, 'invalid range provided', 'invalid_range'),
  noContent: (message = 'No content provided') => make('InvalidRequest', 400, message),
  invalidFileSizeLimit: () => make('InvalidRequest', 400, 'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B'),
  // storage.ts validateMaxSizeLimit: a StorageBackendError named max_file_size, status 422.
  fileSizeLimitAboveGlobal: () => make('InvalidRequest', 422, 'the requested max_file_size exceed the global limit', 'max_file_size'),
  // codes.ts InvalidParameter: its code is MissingParameter, its message names the parameter.
  invalidParameter: (parameter: string) => make('MissingParameter', 400, `Invalid Parameter ${parameter}`),
  missingParameter: (name: string) => make('MissingParameter', 400, `Missing Required Parameter ${name}`),
  invalidUploadId: (message = 'Invalid upload id') => make('InvalidUploadId', 400, message),
  aborted: () => make('Aborted', 500, 'The upload was aborted by the client'),
  featureNotEnabled: (feature: string) => make('FeatureNotEnabled', 400, `The feature ${feature} is not enabled for this resource`),
  internal: (message = 'Internal server error') => make('InternalError', 500, message),
  databaseError: (sqlstate: string) => make('DatabaseError', 500, `database error, code: ${sqlstate}`),
};

/** Maps a Postgres error raised under the caller's role to Storage's (storage/database/errors.ts). */
export function fromDatabaseError(err: unknown, onDuplicate: () => StorageError = ERRORS.keyAlreadyExists): StorageError {
  if (err instanceof StorageError) return err;
  // no connection of storage's pool came free in time
  if (isPoolTimeout(err)) return make('DatabaseTimeout', 544, 'The connection to the database timed out');
  const pgErr = err as { code?: string; message?: string };
  switch (pgErr.code) {
    case '42501':
      return ERRORS.accessDenied(pgErr.message?.includes('row-level security') ? 'new row violates row-level security policy' : pgErr.message);
    case '22023': // a JWT naming a role that does not exist: set_config('role', ...) refuses it
    case '42704':
      return ERRORS.accessDenied(pgErr.message);
    case '23505':
      return onDuplicate();
    case '23503':
      return make('InvalidRequest', 404, 'The related resource does not exist');
    case '22P02':
      return make('InvalidRequest', 400, 'Invalid input: a value has the wrong format', 'Bad Request');
    case '57014':
      return make('DatabaseTimeout', 544, 'The connection to the database timed out');
    default:
      // Any other data exception (a number out of range, a negative offset...) is the caller's input.
      // (said generically: the database's own wording is not the client's business)
      if (pgErr.code?.startsWith('22')) return make('InvalidRequest', 400, 'Invalid input: a value is malformed or out of range', 'Bad Request');
      return pgErr.code ? ERRORS.databaseError(pgErr.code) : ERRORS.internal();
  }
}
