import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { createUser, deleteUserById, generateLink, getUserById, invite, listUsers, updateUserById } from './admin.js';
import type { AuthDeps } from './deps.js';
import { bodyLimit } from '../gateway/body-limit.js';
import { API_VERSION_HEADER, AuthError, errorBody, MESSAGES, requestedApiVersion, unexpected, unprocessable } from './errors.js';
import { adminSsoDisabled, authorize, ssoDisabled } from './external.js';
import { HookError } from './hooks.js';
import { linkIdentity, unlinkIdentity } from './identities.js';
import { reauthenticate } from './reauthenticate.js';
import { adminDeleteFactor, adminListFactors, challengeFactor, enrollFactor, unenrollFactor, verifyFactor } from './mfa.js';
import { otp, recover, resend } from './recover.js';
import { healthRoute, settingsRoute } from './settings-route.js';
import { signup } from './signup.js';
import { token } from './token.js';
import { getUser, logout, updateUser } from './user.js';
import { verifyGet, verifyPost } from './verify.js';

type Handler = (c: Context, deps: AuthDeps) => Promise<Response>;

/** Database failures that are the client's doing, as GoTrue reports them. */
function fromDatabase(err: unknown): AuthError | null {
  const e = err as { code?: string; constraint?: string };
  if (e?.code === '23505' && e.constraint === 'users_email_partial_key') {
    return unprocessable('email_exists', MESSAGES.emailExists);
  }
  return null;
}

/** GoTrue's API as a Hono app (mounted at /auth/v1 by the gateway; testable on its own). */
export function createAuthApp(deps: AuthDeps): Hono {
  const app = new Hono();
  app.use(
    '*',
    cors({
      origin: (origin) => origin || '*',
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['Accept', 'Authorization', 'Content-Type', 'X-Client-IP', 'X-Client-Info', 'X-JWT-AUD', 'x-use-cookie', API_VERSION_HEADER, 'apikey'],
      exposeHeaders: ['X-Total-Count', 'Link', API_VERSION_HEADER],
      credentials: true,
    }),
  );
  app.use('*', bodyLimit(deps.settings.maxBodyBytes));
  app.use('*', async (c, next) => {
    const version = requestedApiVersion(c.req.header(API_VERSION_HEADER));
    if (version) c.header(API_VERSION_HEADER, version);
    await next();
  });
  const route = (h: Handler) => (c: Context) => h(c, deps);

  app.get('/health', (c) => healthRoute(c));
  app.get('/settings', (c) => settingsRoute(c, deps.settings));
  // GoTrue's jwks.go: the public parts of the signing keys; with the HS256 secret alone the set is empty.
  app.get('/.well-known/jwks.json', (c) => c.json(deps.settings.jwtKeys.jwks));
  app.post('/signup', route(signup));
  app.post('/token', route(token));
  app.post('/logout', route(logout));
  app.get('/user', route(getUser));
  app.put('/user', route(updateUser));
  app.post('/recover', route(recover));
  app.post('/otp', route(otp));
  app.post('/magiclink', route(otp));
  app.post('/resend', route(resend));
  app.get('/verify', route(verifyGet));
  app.post('/verify', route(verifyPost));
  app.get('/admin/users', route(listUsers));
  app.post('/admin/users', route(createUser));
  app.get('/admin/users/:id', route(getUserById));
  app.put('/admin/users/:id', route(updateUserById));
  app.delete('/admin/users/:id', route(deleteUserById));
  app.post('/admin/generate_link', route(generateLink));
  app.get('/admin/users/:id/factors', route(adminListFactors));
  app.delete('/admin/users/:id/factors/:factor_id', route(adminDeleteFactor));
  app.get('/reauthenticate', route(reauthenticate));
  app.get('/user/identities/authorize', route(linkIdentity));
  app.delete('/user/identities/:identity_id', route(unlinkIdentity));
  app.get('/authorize', route(authorize));
  app.post('/sso', () => ssoDisabled());
  app.get('/sso/saml/metadata', () => ssoDisabled());
  app.post('/sso/saml/acs', () => ssoDisabled());
  app.on(['GET', 'POST'], '/admin/sso/providers', route(adminSsoDisabled));
  app.on(['GET', 'PUT', 'DELETE'], '/admin/sso/providers/:idp_id', route(adminSsoDisabled));
  app.post('/factors', route(enrollFactor));
  app.post('/factors/:factor_id/challenge', route(challengeFactor));
  app.post('/factors/:factor_id/verify', route(verifyFactor));
  app.delete('/factors/:factor_id', route(unenrollFactor));
  app.post('/invite', route(invite));

  // No route: not an error GoTrue raises (errorcode.go has no code for it), so the body is written
  // here in the client's API version rather than built from an ErrorCode.
  app.notFound((c) => {
    const version = requestedApiVersion(c.req.header(API_VERSION_HEADER));
    return c.json(version ? { code: 'not_found', message: 'Not Found' } : { code: 404, error_code: 'not_found', msg: 'Not Found' }, 404);
  });
  app.onError((thrown, c) => {
    let err = thrown instanceof AuthError ? thrown : fromDatabase(thrown);
    if (!err) {
      deps.log.error({ err: thrown, path: c.req.path }, 'auth request failed');
      err = unexpected();
    }
    const version = requestedApiVersion(c.req.header(API_VERSION_HEADER));
    c.header('x-sb-error-code', err.errorCode);
    // A hook's public Postgres error is shown as it is to clients of the initial API version.
    if (err instanceof HookError && err.postgres && !version) {
      const { status, ...body } = err.postgres;
      return c.json(body, status as 400);
    }
    return c.json(errorBody(err, version), err.status as 400);
  });
  return app;
}
