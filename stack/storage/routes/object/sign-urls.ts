import type { OpenAPIV3 } from 'openapi-types';
import { arr, int, json, jsonBody, obj, security, str } from '../../../docs/schema-helpers.js';
import { jwtKeys } from '../../../jwt/keys.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { visibleObjectNames } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { signedPath, signUrlToken } from '../../signing.js';
import { readJson } from '../body.js';
import { bucketParam, errors, tags } from '../openapi.js';
import { schemaError } from '../validate.js';
import { expiresIn } from './expires-in.js';

/** POST /object/sign/:bucket: signed download URLs for several keys; those the caller cannot read get an error instead. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/sign/:bucket', resolveCaller(deps), named(OPERATIONS.signObjectUrls, async (c) => {
    const body = await readJson(c);
    const ttl = expiresIn(body);
    const keys = body.paths;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((p) => typeof p !== 'string')) {
      throw schemaError("body/paths must be a non-empty array of strings");
    }
    const bucketId = c.req.param('bucket')!;
    const visible = await asCaller(deps, callerOf(c), c, (client) => visibleObjectNames(client, bucketId, keys as string[]), { readOnly: true });
    const out = await Promise.all((keys as string[]).map(async (p) => {
      if (!visible.has(p)) return { error: 'Either the object does not exist or you do not have access to it', path: p, signedURL: null };
      const token = await signUrlToken('download', { url: `${bucketId}/${p}` }, jwtKeys(deps.config), ttl);
      return { error: null, path: p, signedURL: signedPath('sign', `${bucketId}/${p}`, token) };
    }));
    return c.json(out);
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/sign/{bucket}': {
    post: {
      tags, operationId: 'storage_create_signed_urls', summary: 'Create signed download URLs for several objects', security: security.user, parameters: [bucketParam],
      requestBody: jsonBody(obj({ expiresIn: int(), paths: arr(str()) }, ['expiresIn', 'paths'])),
      responses: { 200: json(arr(obj({ path: str(), signedURL: str(undefined, { nullable: true }), error: str(undefined, { nullable: true }) }))), ...errors },
    },
  },
};
