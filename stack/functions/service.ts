import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { settingsFrom } from './config.js';
import { RELAY } from './errors.js';
import { FunctionsHost } from './host.js';
import { invoke } from './invoke.js';
import { denoBinary } from './deno.js';

const encoder = new TextEncoder();

/** `verify_jwt`: a `Bearer` token signed with the project's secret, as the local relay checks it. */
async function checkJwt(c: Context, secret: string): Promise<Response | null> {
  const header = c.req.header('authorization');
  if (!header) return RELAY.unauthorized('Error: Missing authorization header');
  const [scheme, token] = header.split(' ');
  if (scheme !== 'Bearer') return RELAY.unauthorized("Error: Auth header is not 'Bearer {token}'");
  try {
    // the relay reads the header first: a token that is not a JWT fails there, with jose's words
    decodeProtectedHeader(token ?? '');
  } catch {
    return RELAY.unauthorized('TypeError: Invalid Token or Protected Header formatting');
  }
  try {
    await jwtVerify(token ?? '', encoder.encode(secret), { algorithms: ['HS256'] });
    return null;
  } catch (err) {
    if (!(err instanceof joseErrors.JOSEError)) throw err;
    return RELAY.unauthorized('Invalid JWT');
  }
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
      const refused = await checkJwt(c, host.settings.jwtSecret);
      if (refused) return refused;
    }
    const url = new URL(c.req.url);
    const pathAndQuery = url.pathname.slice(BASE_PATH.length) + url.search;
    return invoke(host, { name, fn, pathAndQuery, request: c.req.raw, clientIp: clientIp(c) }, log);
  }
  return app;
}

/** /functions/v1/<name>: the project's Deno edge functions, found as the Supabase CLI finds them. */
export function createFunctionsService(ctx: ServiceContext): GatewayService {
  const log = ctx.log.child({ service: 'functions' });
  const host = new FunctionsHost(settingsFrom(ctx.config), log);
  return {
    name: 'functions',
    mount: (app) => void app.route(BASE_PATH, functionsApp(host, log)),
    // Workers start on demand; the host is healthy when Deno is there to start them.
    health: async () => void denoBinary(),
    close: () => host.close(),
  };
}
