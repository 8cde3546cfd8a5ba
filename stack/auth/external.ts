import type { Context } from 'hono';
import type { AuthDeps } from './deps.js';
import { badRequest, notFound } from './errors.js';
import { requireAdmin } from './request.js';

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
