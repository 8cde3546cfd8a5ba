import type { Context } from 'hono';
import type { AuthDeps } from './deps.js';
import { badRequest, notFound } from './errors.js';
import { requireAdmin } from './request.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags, authError, errors, adminNote } from './openapi.js';

/** The OAuth providers GoTrue knows (external.go's Provider switch). */
const KNOWN_PROVIDERS = new Set([
  'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'figma', 'fly', 'github', 'gitlab', 'google', 'kakao', 'keycloak',
  'linkedin', 'linkedin_oidc', 'notion', 'snapchat', 'spotify', 'slack', 'slack_oidc', 'twitch', 'twitter', 'x',
  'vercel_marketplace', 'workos', 'zoom',
]);

/**
 * GoTrue's Provider lookup failing: an unknown name, or a known one that is not enabled. No
 * provider can be enabled here (the stack reaches no address but loopback), so an enabled one
 * is refused too, saying why.
 */
export function unsupportedProvider(deps: AuthDeps, name: string) {
  const provider = name.toLowerCase();
  if (!KNOWN_PROVIDERS.has(provider)) return badRequest('validation_failed', `Unsupported provider: Provider ${provider} could not be found`);
  if (!deps.settings.external[provider]) return badRequest('validation_failed', 'Unsupported provider: provider is not enabled');
  return badRequest('validation_failed', `Unsupported provider: ${provider} sign-in is not available on the local stack`);
}

/** GET /authorize?provider=…: where GoTrue would redirect to the provider. */
export async function authorize(c: Context, deps: AuthDeps): Promise<Response> {
  throw unsupportedProvider(deps, c.req.query('provider') ?? '');
}

const samlDisabled = () => notFound('saml_provider_disabled', 'SAML 2.0 is disabled');

/** /sso and /sso/saml/*: SAML is off locally, as under `supabase start` (requireSAMLEnabled). */
export async function ssoDisabled(): Promise<Response> {
  throw samlDisabled();
}

/** /admin/sso/providers…: admin credentials first, then the same answer. */
export async function adminSsoDisabled(c: Context, deps: AuthDeps): Promise<Response> {
  await requireAdmin(c, deps.settings);
  throw samlDisabled();
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/authorize': {
    get: {
      tags, operationId: 'auth_oauth_authorize', summary: 'Start an OAuth sign-in (no provider can be enabled locally: 400 validation_failed)', security: doc.security.none,
      parameters: [doc.query('provider', doc.str(), undefined, true), doc.query('redirect_to', doc.str()), doc.query('code_challenge', doc.str()), doc.query('code_challenge_method', doc.str())],
      responses: { 400: authError },
    },
  },
  '/auth/v1/sso': {
    post: {
      tags, operationId: 'auth_sso', summary: 'Start a SAML SSO sign-in (SAML is disabled locally: 404 saml_provider_disabled)', security: doc.security.apikey,
      requestBody: doc.jsonBody(doc.obj({ domain: doc.str(), provider_id: doc.str() })),
      responses: { 404: authError },
    },
  },
  '/auth/v1/sso/saml/metadata': {
    get: { tags, operationId: 'auth_saml_metadata', summary: 'SAML service-provider metadata (SAML is disabled locally: 404 saml_provider_disabled)', security: doc.security.none, responses: { 404: authError } },
  },
  '/auth/v1/sso/saml/acs': {
    post: { tags, operationId: 'auth_saml_acs', summary: 'SAML assertion consumer (SAML is disabled locally: 404 saml_provider_disabled)', security: doc.security.none, responses: { 404: authError } },
  },
  '/auth/v1/admin/sso/providers': {
    get: { tags, operationId: 'auth_admin_list_sso_providers', summary: 'List SAML providers (admin; 404 saml_provider_disabled locally)', description: adminNote, security: doc.security.serviceRole, responses: { 404: authError, ...errors } },
    post: { tags, operationId: 'auth_admin_create_sso_provider', summary: 'Add a SAML provider (admin; 404 saml_provider_disabled locally)', description: adminNote, security: doc.security.serviceRole, responses: { 404: authError, ...errors } },
  },
  '/auth/v1/admin/sso/providers/{idp_id}': {
    parameters: [doc.pathParam('idp_id', 'The provider\'s id')],
    get: { tags, operationId: 'auth_admin_get_sso_provider', summary: 'Get a SAML provider (admin; 404 saml_provider_disabled locally)', description: adminNote, security: doc.security.serviceRole, responses: { 404: authError, ...errors } },
    put: { tags, operationId: 'auth_admin_update_sso_provider', summary: 'Update a SAML provider (admin; 404 saml_provider_disabled locally)', description: adminNote, security: doc.security.serviceRole, responses: { 404: authError, ...errors } },
    delete: { tags, operationId: 'auth_admin_delete_sso_provider', summary: 'Remove a SAML provider (admin; 404 saml_provider_disabled locally)', description: adminNote, security: doc.security.serviceRole, responses: { 404: authError, ...errors } },
  },
};
