import type { OpenAPIV3 } from 'openapi-types';
import type { FunctionSchemas } from './function-paths.js';
import { bool, obj, str } from './schema-helpers.js';

// Until functions/_shared exports its zod schemas in a form Node can import, the request and
// response shapes are written here from the functions' specification (issue 6).
export async function loadFunctionSchemas(): Promise<FunctionSchemas> {
  const binary: OpenAPIV3.SchemaObject = { type: 'string', format: 'binary' };
  return {
    mediaUpload: obj({ kind: str(undefined, { enum: ['avatar', 'post'] }), file: binary, post_id: str('Required when kind = post') }, ['kind', 'file']),
    mediaResult: obj({ path: str(), url: str(), media_type: str(undefined, { enum: ['image', 'video'] }) }, ['path', 'url', 'media_type']),
    passwordReset: {
      oneOf: [
        obj({ action: str(undefined, { enum: ['request'] }), email: str(undefined, { format: 'email' }) }, ['action', 'email']),
        obj({ action: str(undefined, { enum: ['confirm'] }), token: str(), password: str() }, ['action', 'token', 'password']),
      ],
    },
    passwordResetResult: obj({ ok: bool(), message: str() }),
  };
}
