import type { OpenAPIV3 } from 'openapi-types';
import { json, obj, ref, security, str } from './schema-helpers.js';

// The two edge functions (functions/<name>/index.ts), served at /functions/v1/<name>. Their
// request bodies are the functions' zod schemas (see ./function-schemas.ts); errors are
// functions/_shared/errors.ts's `{ code, message, details? }`.
const tags = ['Functions'];

export interface FunctionSchemas {
  mediaUpload: OpenAPIV3.SchemaObject;
  mediaResult: OpenAPIV3.SchemaObject;
  passwordReset: OpenAPIV3.SchemaObject;
  passwordResetResult: OpenAPIV3.SchemaObject;
}

export function functionPaths(schemas: FunctionSchemas): { paths: OpenAPIV3.PathsObject; schemas: Record<string, OpenAPIV3.SchemaObject> } {
  const fnError = json(ref('FunctionError'), 'Error');
  return {
    schemas: {
      FunctionError: obj({ code: str('Stable code, e.g. `bad_request`, `unsupported_media_type`, `rate_limited`'), message: str(), details: { type: 'array', items: obj({ path: str(), message: str() }), description: 'zod issues, for validation errors' } }, ['code', 'message']),
      MediaUpload: schemas.mediaUpload,
      MediaResult: schemas.mediaResult,
      PasswordReset: schemas.passwordReset,
      PasswordResetResult: schemas.passwordResetResult,
    },
    paths: {
      '/functions/v1/media': {
        post: {
          tags, operationId: 'fn_media', summary: 'Upload an avatar or a post\'s media', security: security.user,
          description: 'Checks the file\'s real type from its bytes and its size per kind, stores it under the caller\'s folder, and sets `profiles.avatar_url` or the post\'s `media_path`/`media_type` (replacing the previous file).',
          requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('MediaUpload') } } },
          responses: { 200: json(ref('MediaResult')), 400: fnError, 401: fnError, 403: fnError, 404: fnError, 413: fnError, 415: fnError },
        },
      },
      '/functions/v1/password-reset': {
        post: {
          tags, operationId: 'fn_password_reset', summary: 'Request a password-reset email, or confirm a new password with its token', security: security.apikey,
          description: '`{action: "request", email}` always answers the same 200 (no account enumeration) and is rate-limited; `{action: "confirm", token, password}` sets the password and signs out other sessions.',
          requestBody: { required: true, content: { 'application/json': { schema: ref('PasswordReset') } } },
          responses: { 200: json(ref('PasswordResetResult')), 400: fnError, 410: fnError, 429: fnError },
        },
      },
    },
  };
}
