import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { createUser, deleteUserById, generateLink, getUserById, invite, listUsers, updateUserById } from './admin.js';
import type { AuthDeps } from './deps.js';
import { bodyLimit } from '../gateway/body-limit.js';
import { API_VERSION_HEADER, AuthError, errorBody, requestedApiVersion, unprocessable } from './errors.js';
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
    return unprocessable('email_exists', 'A user with this email address has already been registered');
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
  // Only asymmetric signing keys are published; with the HS256 secret alone the set is empty.
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: [] }));
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
  app.post('/invite', route(invite));

  app.notFound((c) => {
    const err = new AuthError(404, 'not_found', 'Not Found');
    return c.json(errorBody(err, requestedApiVersion(c.req.header(API_VERSION_HEADER))), 404);
  });
  app.onError((thrown, c) => {
    let err = thrown instanceof AuthError ? thrown : fromDatabase(thrown);
    if (!err) {
      deps.log.error({ err: thrown, path: c.req.path }, 'auth request failed');
      err = new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
    }
    const version = requestedApiVersion(c.req.header(API_VERSION_HEADER));
    c.header('x-sb-error-code', err.errorCode);
    return c.json(errorBody(err, version), err.status as 400);
  });
  return app;
}
