// The custom access token hook as GoTrue runs it. Checked against supabase/auth
// internal/tokens/service.go (GenerateAccessToken: input user_id/claims/authentication_method,
// output claims replace GoTrue's, validateTokenClaims with MinimumViableTokenSchema),
// internal/hooks/hookspgfunc/hookspgfunc.go (select "schema"."fn"(input) in the request's
// transaction, 2 s statement_timeout), internal/hooks/hookserrors/hookserrors.go (an `error` object
// with message and http_code), internal/hooks/v0hooks/manager.go ("Error running hook URI: ..."),
// v0hooks.go (CustomAccessTokenOutput: "output claims field is missing") and internal/api/errors.go
// (a public Postgres error shown as {code, message} to clients without an API version).
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { adminClient, customAuth, uniqueEmail, type CustomAuth } from './support.js';

const SCHEMA = `hooks_${process.pid}`;
let admin: pg.Client;
const apps: CustomAuth[] = [];

/** An auth server whose custom access token hook is SCHEMA.fn (as [auth.hook.custom_access_token] would set it). */
async function withHook(fn: string): Promise<CustomAuth> {
  const app = await customAuth({
    hooks: { custom_access_token: { uri: `pg-functions://postgres/${SCHEMA}/${fn}`, functionName: `"${SCHEMA}"."${fn}"` } },
  });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: stack().dbUrl });
  await admin.connect();
  // The RBAC guide's shape: read the user's role from a table, add it as a claim. Grants as the
  // guide says: only supabase_auth_admin may run the hooks.
  await admin.query(`
    create schema ${SCHEMA};
    grant usage on schema ${SCHEMA} to supabase_auth_admin;
    create table ${SCHEMA}.user_roles (user_id uuid primary key, role text not null);
    grant select on ${SCHEMA}.user_roles to supabase_auth_admin;

    create function ${SCHEMA}.add_role(event jsonb) returns jsonb language plpgsql stable as $$
    declare claims jsonb := event->'claims';
    begin
      claims := jsonb_set(claims, '{user_role}', coalesce(to_jsonb((select role from ${SCHEMA}.user_roles where user_id = (event->>'user_id')::uuid)), 'null'));
      claims := jsonb_set(claims, '{hook_method}', event->'authentication_method');
      claims := jsonb_set(claims, '{hook_ran_as}', to_jsonb(current_user::text));
      return jsonb_set(event, '{claims}', claims);
    end $$;
    create function ${SCHEMA}.raises(event jsonb) returns jsonb language plpgsql as $$
    begin raise exception 'no tokens today' using hint = 'ask a moderator'; end $$;
    create function ${SCHEMA}.no_claims(event jsonb) returns jsonb language sql as $$ select '{"nope": 1}'::jsonb $$;
    create function ${SCHEMA}.drops_aal(event jsonb) returns jsonb language sql as $$ select jsonb_set(event, '{claims}', (event->'claims') - 'aal') $$;
    create function ${SCHEMA}.refuses(event jsonb) returns jsonb language sql as $$ select '{"error": {"http_code": 403, "message": "Moderators only"}}'::jsonb $$;
    create function ${SCHEMA}.not_granted(event jsonb) returns jsonb language sql as $$ select event $$;

    revoke execute on all functions in schema ${SCHEMA} from public;
    grant execute on function ${SCHEMA}.add_role, ${SCHEMA}.raises, ${SCHEMA}.no_claims, ${SCHEMA}.drops_aal, ${SCHEMA}.refuses to supabase_auth_admin;`);
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
  await admin?.end();
});

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

async function newUser() {
  const email = uniqueEmail('hook');
  const password = 'hook-pass-1';
  const { data, error } = await adminClient().auth.admin.createUser({ email, password, email_confirm: true });
  expect(error).toBeNull();
  return { email, password, id: data.user!.id };
}

function clientOf(app: CustomAuth) {
  return createClient(stack().apiUrl, stack().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws as never },
    global: { fetch: app.fetch },
  });
}

/**
 * POST /token without supabase-js, which reports any 500 as a retryable fetch error without its
 * body: with the API version header supabase-js sends ({code, message}) or without (GoTrue's
 * initial error shape).
 */
async function rawToken(app: CustomAuth, grant: string, body: Record<string, string>, versioned = true) {
  const res = await app.fetch(`${stack().apiUrl}/auth/v1/token?grant_type=${grant}`, {
    method: 'POST',
    headers: { apikey: stack().anonKey, 'content-type': 'application/json', ...(versioned ? { 'X-Supabase-Api-Version': '2024-01-01' } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('custom access token hook', () => {
  it('adds the claim the function returns, at sign-in and at refresh, run as supabase_auth_admin', async () => {
    const app = await withHook('add_role');
    const user = await newUser();
    await admin.query(`insert into ${SCHEMA}.user_roles values ($1, 'moderator')`, [user.id]);
    const client = clientOf(app);
    const signIn = await client.auth.signInWithPassword({ email: user.email, password: user.password });
    expect(signIn.error).toBeNull();
    const claims = claimsOf(signIn.data.session!.access_token);
    expect(claims).toMatchObject({ user_role: 'moderator', hook_method: 'password', hook_ran_as: 'supabase_auth_admin', aal: 'aal1', sub: user.id });

    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(claimsOf(refreshed.data.session!.access_token)).toMatchObject({ user_role: 'moderator', hook_method: 'token_refresh' });

    // the claim reaches Postgres through the REST layer like any other
    const res = await fetch(`${stack().apiUrl}/rest/v1/rpc/noop_that_does_not_exist`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, authorization: `Bearer ${refreshed.data.session!.access_token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404); // a valid token: the function is missing, not the JWT refused
  });

  it('a hook that raises fails sign-in with GoTrue\'s error and keeps no session', async () => {
    const app = await withHook('raises');
    const user = await newUser();
    const { error } = await clientOf(app).auth.signInWithPassword({ email: user.email, password: user.password });
    expect(error?.status).toBe(500);
    expect(await rawToken(app, 'password', { email: user.email, password: user.password })).toEqual({
      status: 500,
      body: { code: 'unexpected_failure', message: `Error running hook URI: pg-functions://postgres/${SCHEMA}/raises` },
    });
    // without the API version header GoTrue shows the raised Postgres error itself
    expect(await rawToken(app, 'password', { email: user.email, password: user.password }, false)).toEqual({ status: 500, body: { code: 'P0001', message: 'no tokens today', hint: 'ask a moderator' } });
    const { rows } = await admin.query('select count(*)::int as n from auth.sessions where user_id = $1', [user.id]);
    expect(rows[0].n).toBe(0);
  });

  it('a refresh whose hook fails is refused, and the refresh token still works once the hook is fixed', async () => {
    const good = await withHook('add_role');
    const bad = await withHook('raises');
    const user = await newUser();
    const signIn = await clientOf(good).auth.signInWithPassword({ email: user.email, password: user.password });
    const refreshToken = signIn.data.session!.refresh_token;
    expect(await rawToken(bad, 'refresh_token', { refresh_token: refreshToken })).toEqual({
      status: 500,
      body: { code: 'unexpected_failure', message: `Error running hook URI: pg-functions://postgres/${SCHEMA}/raises` },
    });
    const retried = await clientOf(good).auth.refreshSession({ refresh_token: refreshToken });
    expect(retried.error).toBeNull();
  });

  it('bad shapes and refusals answer as GoTrue: missing claims, a missing required claim, an error object, no execute grant', async () => {
    const user = await newUser();
    const cases: [string, number, string, string][] = [
      ['no_claims', 500, 'unexpected_failure', 'output claims field is missing'],
      ['drops_aal', 500, 'unexpected_failure', 'output claims do not conform to the expected schema: \n- (root): aal is required\n'],
      ['refuses', 403, 'unknown', 'Moderators only'],
      ['not_granted', 500, 'unexpected_failure', `Error running hook URI: pg-functions://postgres/${SCHEMA}/not_granted`],
    ];
    for (const [fn, status, code, message] of cases) {
      const app = await withHook(fn);
      const { status: got, body } = await rawToken(app, 'password', { email: user.email, password: user.password });
      expect([fn, got, body]).toEqual([fn, status, { code, message }]);
    }
    const { rows } = await admin.query('select count(*)::int as n from auth.sessions where user_id = $1', [user.id]);
    expect(rows[0].n).toBe(0);
  });
});
