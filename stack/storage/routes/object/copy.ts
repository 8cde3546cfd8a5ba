import { randomUUID } from 'node:crypto';
import type { OpenAPIV3 } from 'openapi-types';
import { bool, json, jsonBody, obj, security, str } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { lockKeys, mustFindObject, upsertObject } from '../../database.js';
import { ERRORS } from '../../errors.js';
import { isHeaderSafe, parseUserMetadata } from '../../incoming.js';
import { mustBeValidKey, mustFitBucket } from '../../limits.js';
import type { ObjectRow } from '../../objects.js';
import { named, OPERATIONS } from '../../operations.js';
import { readJson } from '../body.js';
import { errors, tags } from '../openapi.js';
import { optionalBoolean, optionalObject, optionalString } from '../validate.js';
import { destinationRules, requiredKey } from './destination.js';

/**
 * POST /object/copy, as Storage's copyObject: `x-upsert: true` replaces an existing destination;
 * `copyMetadata` (default true) keeps the source's metadata, otherwise `metadata` (cacheControl,
 * mimetype) and the `x-metadata` header describe the copy.
 */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/copy', resolveCaller(deps), named(OPERATIONS.copyObject, async (c) => {
    const who = callerOf(c);
    const body = await readJson(c);
    const bucketId = requiredKey(body, 'bucketId');
    const from = requiredKey(body, 'sourceKey');
    const to = requiredKey(body, 'destinationKey');
    const toBucket = typeof body.destinationBucket === 'string' && body.destinationBucket ? body.destinationBucket : bucketId;
    const copyMetadata = optionalBoolean(body, 'copyMetadata') ?? true;
    const fileMetadata = optionalObject(body, 'metadata') ?? {};
    const cacheControl = optionalString(fileMetadata, 'cacheControl', 'metadata');
    const mimetype = optionalString(fileMetadata, 'mimetype', 'metadata');
    if ([cacheControl, mimetype].some((v) => v !== undefined && !isHeaderSafe(v))) throw ERRORS.invalidParameter('metadata');
    const upsert = c.req.header('x-upsert') === 'true';
    mustBeValidKey(to);
    const version = randomUUID();
    const rules = await destinationRules(deps, toBucket);
    let copied = false;
    try {
      const result = await asCaller(deps, who, c, async (client) => {
        await lockKeys(client, [[bucketId, from], [toBucket, to]]);
        const source: ObjectRow = await mustFindObject(client, bucketId, from, 'for share');
        const metadata = { ...source.metadata!, lastModified: new Date().toISOString() };
        if (!copyMetadata) {
          if (cacheControl !== undefined) metadata.cacheControl = cacheControl;
          if (mimetype !== undefined) metadata.mimetype = mimetype;
        }
        mustFitBucket(rules, metadata.mimetype ?? 'application/octet-stream', metadata.size ?? 0);
        const userMetadata = copyMetadata ? source.user_metadata : parseUserMetadata(c.req.header('x-metadata'), true);
        const written = await upsertObject(client, { bucketId: toBucket, name: to, upsert, owner: who.userId, metadata, userMetadata }, version);
        await deps.blobs.duplicate(source.version!, version);
        copied = true;
        return written;
      });
      if (result.replaced && result.replaced !== version) await deps.blobs.remove(result.replaced);
      return c.json({ Id: result.id, Key: `${toBucket}/${to}` });
    } catch (err) {
      if (copied) await deps.blobs.remove(version);
      throw err;
    }
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/copy': {
    post: {
      tags, operationId: 'storage_copy', summary: 'Copy an object', security: security.user,
      parameters: [{ name: 'x-upsert', in: 'header', schema: { type: 'string', enum: ['true', 'false'] }, description: 'Overwrite an existing destination' }],
      requestBody: jsonBody(obj({ bucketId: str(), sourceKey: str(), destinationKey: str(), destinationBucket: str(), copyMetadata: bool(), metadata: obj({ cacheControl: str(), mimetype: str() }) }, ['bucketId', 'sourceKey', 'destinationKey'])),
      responses: { 200: json(obj({ Id: str(), Key: str() })), ...errors },
    },
  },
};
