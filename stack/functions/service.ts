import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { requestCredential } from '../jwt/credentials.js';
import type { JwtKeys } from '../jwt/keys.js';
import { verifyJwt } from '../jwt/verify.js';
import type { Logger } from 'pino';
import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { settingsFrom } from './config.js';
import { RELAY } from './errors.js';
import { FunctionsHost } from './host.js';
import { invoke } from './invoke.js';
import { denoBinary } from './deno.js';

/**
 * `verify_jwt` as the CLI's relay (functions serve main.ts) checks the token the gateway hands
 * on: HS256 with the legacy secret, ES256/RS256 with the signing keys.
 */
async function checkJwt(c: Context, keys: JwtKeys): Promise<Response | null> {
  const credential = requestCredential(c.req.raw.headers, keys);
  if (credential.kind === 'none') return RELAY.unauthorized('Error: Missing authorization header');
  if (credential.kind === 'not-bearer') return RELAY.unauthorized("Error: Auth header is not 'Bearer {token}'");
  const result = await verifyJwt(credential.token, keys);
  if (result.ok) return null;
  // the relay reads the header first: a token that is not a JWT fails there, with jose's words
  const unreadable = ['empty', 'segments', 'header'].includes(result.failure.reason);
  return RELAY.unauthorized(unreadable ? 'TypeError: Invalid Token or Protected Header formatting' : 'Invalid JWT');
}

/**
 * CORS as the CLI's API gateway (Kong's cors plugin on the functions route) does it: it answers
 * preflights itself — the function never sees them — and sets `Access-Control-Allow-Origin: *`
 * on every answer to a request with an Origin, relay errors included.
 */
function kongCors(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS' && origin && c.req.header('access-control-request-method')) {
      const headers: Record<string, string> = {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT',
      };
      const asked = c.req.header('access-control-request-headers');
      if (asked) headers['Access-Control-Allow-Headers'] = asked;
      return c.body(null, 200, headers);
    }
    await next();
    if (origin) {
      try {
        c.res.headers.set('Access-Control-Allow-Origin', '*');
      } catch {
        // a response whose headers are immutable (passed through as is): copy it once
        c.res = new Response(c.res.body, c.res);
        c.res.headers.set('Access-Control-Allow-Origin', '*');
      }
    }
  };
}

function clientIp(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // not served by @hono/node-server (app.request() in tests)
  }
}

export const BASE_PATH = '/functions/v1';

/** The Hono app for /functions/v1 over a host; mount it at BASE_PATH (tests run their own host). */
export function functionsApp(host: FunctionsHost, log: Logger): Hono {
  const app = new Hono();
  app.use('*', kongCors());
  app.all('/:name{[^/]+}/*', handle);
  app.all('/:name{[^/]+}', handle);
  // no function name: the relay answers as for an unknown one
  app.all('*', () => RELAY.notFound());
  async function handle(c: Context): Promise<Response> {
    const name = c.req.param('name')!;
    const fn = host.find(name);
    if (!fn) return RELAY.notFound();
    // Preflight requests carry no credentials; they go to the function, which answers CORS.
    if (c.req.method !== 'OPTIONS' && fn.verifyJwt) {
      const refused = await checkJwt(c, host.settings.jwtKeys);
      if (refused) return refused;
    }
    const url = new URL(c.req.url);
    const pathAndQuery = url.pathname.slice(BASE_PATH.length) + url.search;
    // the function sees what the gateway hands on: an API key's JWT in place of `Bearer sb_…`
    const credential = requestCredential(c.req.raw.headers, host.settings.jwtKeys);
    const authorization = credential.kind === 'token' && credential.from === 'apikey' ? `Bearer ${credential.token}` : undefined;
    return invoke(host, { name, fn, pathAndQuery, request: c.req.raw, clientIp: clientIp(c), authorization }, log);
  }
  return app;
}

/**
 * /functions/v1/<name>: the project's Deno edge functions, found as the Supabase CLI finds them;
 * they mail through the inbox's SMTP port `inboxSmtpPort` (null: the stack runs no inbox).
 */
export function createFunctionsService(ctx: ServiceContext, inboxSmtpPort: number | null): GatewayService {
  const log = ctx.log.child({ service: 'functions' });
  const host = new FunctionsHost(settingsFrom(ctx.config, inboxSmtpPort), log);
  return {
    name: 'functions',
    mount: (app) => void app.route(BASE_PATH, functionsApp(host, log)),
    // Workers start on demand; the host is healthy when Deno is there to start them.
    health: async () => void denoBinary(),
    close: () => host.close(),
  };
}
