import type { Hono } from 'hono';
import { named, OPERATIONS } from '../operations.js';
import { asCaller, caller, type StorageDeps } from '../context.js';
import { mustBeValidKey } from '../limits.js';
import { mustFindBucket, mustFindObject } from '../objects.js';
import { signedPath, signUrlToken } from '../signing.js';
import { checkWritePermission } from '../write.js';
import { metadataFor } from '../objects.js';
import { asSuperuser } from '../context.js';
import { readJson } from './body.js';
import { schemaError } from './validate.js';
import { jwtKeys } from '../../jwt/keys.js';
import { storageSettings } from '../../config/storage.js';
import { parseTransformBody, transformationsString } from '../transform/options.js';

// Storage's default for signed upload URLs (uploadSignedUrlExpirationTime): two hours.
const UPLOAD_URL_TTL = 2 * 60 * 60;

function expiresIn(body: Record<string, unknown>): number {
  const v = body.expiresIn;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw schemaError(typeof v === 'number' && Number.isInteger(v) ? 'body/expiresIn must be >= 1' : v === undefined ? "body must have required property 'expiresIn'" : 'body/expiresIn must be integer');
  return v;
}

/** Signed download URLs (one or many) and signed upload URLs: signing needs read (or write) access via RLS. */
export function signRoutes(api: Hono, deps: StorageDeps): void {
  api.post('/object/sign/:bucket/:path{.+}', named(OPERATIONS.signObjectUrl, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const ttl = expiresIn(body);
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    const transform = parseTransformBody(body.transform);
    await asCaller(deps, who, c, (client) => mustFindObject(client, bucketId, name), { readOnly: true });
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

  api.post('/object/sign/:bucket', named(OPERATIONS.signObjectUrls, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const ttl = expiresIn(body);
    const paths = body.paths;
    if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== 'string')) {
      throw schemaError("body/paths must be a non-empty array of strings");
    }
    const bucketId = c.req.param('bucket')!;
    const visible = await asCaller(deps, who, c, async (client) => {
      const res = await client.query<{ name: string }>('select name from storage.objects where bucket_id = $1 and name = any($2::text[])', [bucketId, paths]);
      return new Set(res.rows.map((r) => r.name));
    }, { readOnly: true });
    const out = await Promise.all((paths as string[]).map(async (p) => {
      if (!visible.has(p)) return { error: 'Either the object does not exist or you do not have access to it', path: p, signedURL: null };
      const token = await signUrlToken('download', { url: `${bucketId}/${p}` }, jwtKeys(deps.config), ttl);
      return { error: null, path: p, signedURL: signedPath('sign', `${bucketId}/${p}`, token) };
    }));
    return c.json(out);
  }));

  // The signer must be allowed to write the key now; whoever holds the token may then upload as them until it expires.
  api.post('/object/upload/sign/:bucket/:path{.+}', named(OPERATIONS.signUploadUrl, async (c) => {
    const who = await caller(deps, c);
    const bucketId = c.req.param('bucket')!;
    const name = c.req.param('path')!;
    mustBeValidKey(name);
    await asSuperuser(deps, (client) => mustFindBucket(client, bucketId));
    const upsert = c.req.header('x-upsert') === 'true';
    await checkWritePermission(deps, who, { bucketId, name, upsert, owner: who.userId, metadata: metadataFor(0, '""', 'application/octet-stream', 'no-cache'), userMetadata: null }, c);
    const path = `${bucketId}/${name}`;
    const token = await signUrlToken('upload', { url: path, owner: who.userId ?? undefined, upsert }, jwtKeys(deps.config), UPLOAD_URL_TTL);
    return c.json({ url: signedPath('upload/sign', path, token), token });
  }));
}
