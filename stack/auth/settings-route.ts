import type { Context } from 'hono';
import type { AuthSettings } from './settings.js';
import type { OpenAPIV3 } from 'openapi-types';
import * as doc from '../docs/schema-helpers.js';
import { tags } from './openapi.js';

const PROVIDERS = [
  'anonymous_users', 'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'figma', 'fly', 'github', 'gitlab', 'google',
  'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc', 'workos', 'twitch',
  'twitter', 'x', 'email', 'phone', 'zoom',
];

/** GET /settings: which providers are on, and the sign-up switches. */
export function settingsRoute(c: Context, settings: AuthSettings): Response {
  const external: Record<string, boolean> = {};
  for (const p of PROVIDERS) external[p] = settings.external[p] ?? false;
  external.anonymous_users = settings.anonymousSignIns;
  external.email = settings.emailEnabled;
  external.phone = false;
  return c.json({
    external,
    disable_signup: !settings.enableSignup,
    mailer_autoconfirm: settings.autoconfirm,
    phone_autoconfirm: false,
    sms_provider: '',
    saml_enabled: false,
  });
}

/** GET /health */
export function healthRoute(c: Context): Response {
  return c.json({ version: 'agora', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' });
}

export const paths: OpenAPIV3.PathsObject = {
  '/auth/v1/settings': {
    get: {
      tags, operationId: 'auth_settings', summary: 'Public auth settings (providers, signup enabled)', security: doc.security.apikey,
      responses: { 200: doc.json(doc.obj({ external: doc.obj({}), disable_signup: doc.bool(), mailer_autoconfirm: doc.bool() })) },
    },
  },
  '/auth/v1/health': {
    get: { tags, operationId: 'auth_health', summary: 'GoTrue is up', security: doc.security.none, responses: { 200: doc.json(doc.obj({ version: doc.str(), name: doc.str(), description: doc.str() })) } },
  },
  '/auth/v1/.well-known/jwks.json': {
    get: {
      tags, operationId: 'auth_jwks', summary: 'The public keys access tokens are verified with (empty with the HS256 secret alone)', security: doc.security.none,
      responses: { 200: doc.json(doc.obj({ keys: doc.arr(doc.obj({})) })) },
    },
  },
};
