import type { OpenAPIV3 } from 'openapi-types';
import { json, obj, security, str } from '../../../docs/schema-helpers.js';
import { jwtKeys } from '../../../jwt/keys.js';
import { callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { mustBeValidKey } from '../../limits.js';
import { metadataFor } from '../../objects.js';
import { named, OPERATIONS } from '../../operations.js';
import { signedPath, signUrlToken } from '../../signing.js';
import { admitWrite } from '../../write.js';
import { bucketParam, errors, objectParam, tags } from '../openapi.js';

// Storage's default for signed upload URLs (uploadSignedUrlExpirationTime): two hours.
const UPLOAD_URL_TTL = 2 * 60 * 60;

/**
 * POST /object/upload/sign/:bucket/*: a signed upload URL. The signer must be allowed to write
 * the key now; whoever holds the token may then upload as them until it expires.
 */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/upload/sign/:bucket/:path{.+}', resolveCaller(deps), named(OPERATIONS.signUploadUrl, async (c) => {
    const who = callerOf(c);
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    mustBeValidKey(name);
    const upsert = c.req.header('x-upsert') === 'true';
    await admitWrite(deps, who, { bucketId, name, upsert, owner: who.userId, metadata: metadataFor(0, '""', 'application/octet-stream', 'no-cache'), userMetadata: null }, c);
    const path = `${bucketId}/${name}`;
    const token = await signUrlToken('upload', { url: path, owner: who.userId ?? undefined, upsert }, jwtKeys(deps.config), UPLOAD_URL_TTL);
    return c.json({ url: signedPath('upload/sign', path, token), token });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/upload/sign/{bucket}/{path}': {
    post: { tags, operationId: 'storage_create_signed_upload_url', summary: 'Create a signed upload URL', security: security.user, parameters: [bucketParam, objectParam], responses: { 200: json(obj({ url: str(), token: str() })), ...errors } },
  },
};
