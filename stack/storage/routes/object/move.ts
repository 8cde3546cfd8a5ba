import type { OpenAPIV3 } from 'openapi-types';
import { json, jsonBody, obj, security, str } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { lockKeys, moveObject, mustFindObject } from '../../database.js';
import { mustBeValidKey, mustFitBucket } from '../../limits.js';
import { named, OPERATIONS } from '../../operations.js';
import { readJson } from '../body.js';
import { errors, tags } from '../openapi.js';
import { destinationRules, requiredKey } from './destination.js';

/** POST /object/move: rewrites the row's bucket and name as the caller; the bytes stay where they are (keyed by version). */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/move', resolveCaller(deps), named(OPERATIONS.moveObject, async (c) => {
    const who = callerOf(c);
    const body = await readJson(c);
    const bucketId = requiredKey(body, 'bucketId');
    const from = requiredKey(body, 'sourceKey');
    const to = requiredKey(body, 'destinationKey');
    const toBucket = typeof body.destinationBucket === 'string' && body.destinationBucket ? body.destinationBucket : bucketId;
    mustBeValidKey(to);
    if (bucketId === toBucket && from === to) return c.json({ message: 'Successfully moved' });
    const rules = await destinationRules(deps, toBucket);
    await asCaller(deps, who, c, async (client) => {
      await lockKeys(client, [[bucketId, from], [toBucket, to]]);
      const source = await mustFindObject(client, bucketId, from, 'for update');
      mustFitBucket(rules, source.metadata?.mimetype ?? 'application/octet-stream', source.metadata?.size ?? 0);
      await moveObject(client, { bucketId, name: from }, { bucketId: toBucket, name: to }, who.userId);
    });
    return c.json({ message: 'Successfully moved' });
  }));
}

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/move': {
    post: {
      tags, operationId: 'storage_move', summary: 'Move (rename) an object', security: security.user,
      requestBody: jsonBody(obj({ bucketId: str(), sourceKey: str(), destinationKey: str(), destinationBucket: str() }, ['bucketId', 'sourceKey', 'destinationKey'])),
      responses: { 200: json(obj({ message: str() })), ...errors },
    },
  },
};
