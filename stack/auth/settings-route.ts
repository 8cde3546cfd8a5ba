import type { Context } from 'hono';
import type { AuthSettings } from './settings.js';

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
