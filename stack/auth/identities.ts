import type { Context } from 'hono';
import type { AuthDeps } from './deps.js';
import { notFound, unprocessable } from './errors.js';
import { unsupportedProvider } from './external.js';
import { requireUser } from './request.js';
import { identitiesOf } from './users.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, authError, errors } from './openapi.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** requireAuthentication, then requireManualLinkingEnabled ([auth] enable_manual_linking). */
async function linkingCaller(c: Context, deps: AuthDeps) {
  const caller = await requireUser(c, deps.settings, deps.db);
  if (!deps.settings.manualLinking) throw notFound('manual_linking_disabled', 'Manual linking is disabled');
  return caller;
}

/** GET /user/identities/authorize?provider=… (linkIdentity): an OAuth redirect, so a provider is needed. */
export async function linkIdentity(c: Context, deps: AuthDeps): Promise<Response> {
  await linkingCaller(c, deps);
  throw unsupportedProvider(deps, c.req.query('provider') ?? '');
}

/** DELETE /user/identities/:identity_id (unlinkIdentity): never the user's last identity. */
export async function unlinkIdentity(c: Context, deps: AuthDeps): Promise<Response> {
  const { user } = await linkingCaller(c, deps);
  const id = c.req.param('identity_id') ?? '';
  if (!UUID_RE.test(id)) throw notFound('validation_failed', 'identity_id must be an UUID');
  const identities = await identitiesOf(deps.db, user.id);
  if (identities.length <= 1) throw unprocessable('single_identity_not_deletable', 'User must have at least 1 identity after unlinking');
  // Only the email identity exists here (no OAuth), so a second one cannot be reached; GoTrue's
  // next answer for an id that is not the user's:
  throw unprocessable('identity_not_found', "Identity doesn't exist");
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/user/identities/authorize': {
    get: {
      tags, operationId: 'auth_link_identity', summary: 'Link an OAuth identity (404 manual_linking_disabled unless enable_manual_linking)', security: doc.security.user,
      parameters: [doc.query('provider', doc.str(), undefined, true)],
      responses: { 404: authError, ...errors },
    },
  },
  '/auth/v1/user/identities/{identity_id}': {
    parameters: [doc.pathParam('identity_id', 'The identity\'s id (uuid)')],
    delete: {
      tags, operationId: 'auth_unlink_identity', summary: 'Unlink an identity (404 manual_linking_disabled unless enable_manual_linking)', security: doc.security.user,
      responses: { 404: authError, ...errors },
    },
  },
};
