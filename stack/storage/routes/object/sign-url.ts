import type { OpenAPIV3 } from 'openapi-types';
import { int, json, jsonBody, obj, security, str } from '../../../docs/schema-helpers.js';
import { storageSettings } from '../../../config/storage.js';
import { jwtKeys } from '../../../jwt/keys.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { mustFindObject } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { signedPath, signUrlToken } from '../../signing.js';
import { parseTransformBody, transformationsString } from '../../transform/options.js';
import { readJson } from '../body.js';
import { bucketParam, errors, objectParam, tags } from '../openapi.js';
import { expiresIn } from './expires-in.js';

/** POST /object/sign/:bucket/*: a signed download URL; signing needs read access through RLS. */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/sign/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.signObjectUrl, async (c) => {
    const body = await readJson(c);
    const ttl = expiresIn(body);
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    const transform = parseTransformBody(body.transform);
    await asCaller(deps, callerOf(c), c, (client) => mustFindObject(client, bucketId, name), { readOnly: true });
    const path = `${bucketId}/${name}`;
    // With transformations on, a `transform` is signed into the token and the URL renders it.
    if (transform && storageSettings(deps.config).imageTransformation) {
      const transformations = transformationsString(transform);
      const token = await signUrlToken('download', { url: path, transformations, format: transform.format ?? '' }, jwtKeys(deps.config), ttl);
      return c.json({ signedURL: `/render/image/sign/${path}?token=${token}` });
    }
    const token = await signUrlToken('download', { url: path }, jwtKeys(deps.config), ttl);
    return c.json({ signedURL: signedPath('sign', path, token) });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/sign/{bucket}/{path}': {
    post: {
      tags, operationId: 'storage_create_signed_url', summary: 'Create a signed download URL', security: security.user, parameters: [bucketParam, objectParam],
      requestBody: jsonBody(obj({ expiresIn: int('seconds'), transform: obj({ width: int(), height: int(), resize: str(), quality: int(), format: str() }) }, ['expiresIn'])), responses: { 200: json(obj({ signedURL: str() })), ...errors },
    },
  },
};
