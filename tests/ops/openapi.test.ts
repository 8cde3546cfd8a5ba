import type { OpenAPIV3 } from 'openapi-types';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { mediaUploadSchema, passwordResetSchema } from '../../functions/_shared/schemas.js';
import { asOneForm, openApiSchema } from '../../stack/docs/function-schemas.js';
import { loadConfig } from '../../stack/config/load.js';
import { buildOpenApi } from '../../stack/docs/openapi.js';
import { scratchDatabase, stack } from '../support/env.js';

let doc: OpenAPIV3.Document;
beforeAll(async () => {
  const res = await fetch(`${stack().apiUrl}/docs/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});

const operation = (path: string, method: 'get' | 'post' | 'patch' | 'delete') => doc.paths[path]?.[method] as OpenAPIV3.OperationObject | undefined;

describe('GET /docs/openapi.json', () => {
  it('is one OpenAPI 3 document whose server is the stack that served it, with apikey and bearer schemes', () => {
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(doc.servers).toEqual([expect.objectContaining({ url: stack().apiUrl })]);
    expect(doc.components?.securitySchemes).toEqual({
      apikey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'apikey' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });

  it('describes the REST tables with their COMMENT ON text and who holds each privilege', () => {
    const list = operation('/rest/v1/posts', 'get')!;
    expect(list.summary).toContain('A post: 1-2000 characters');
    expect(list.description).toMatch(/Allowed for `anon`, `authenticated`/);
    const insert = operation('/rest/v1/posts', 'post')!;
    expect(insert.description).toMatch(/`authenticated`/);
    expect(insert.description).not.toMatch(/`anon`/); // anon may not insert posts
    // a generated column is never part of a write body
    const body = (insert.requestBody as OpenAPIV3.RequestBodyObject).content['application/json'].schema as OpenAPIV3.SchemaObject;
    const fields = (body.oneOf![0] as OpenAPIV3.SchemaObject).properties! as Record<string, OpenAPIV3.SchemaObject>;
    expect(Object.keys(fields)).not.toContain('fts');
    // column grants: clients write the content, only the service role the counters
    expect(fields.like_count.description).toMatch(/Writable by `service_role` only/);
    expect(fields.content.description).toMatch(/Writable by `authenticated`, `service_role` only/);
  });

  it('lists the same tables and functions as /rest/v1/\'s own (PostgREST-style) OpenAPI', async () => {
    const key = stack().serviceRoleKey; // sees every exposed table and function
    const res = await fetch(`${stack().apiUrl}/rest/v1/`, { headers: { apikey: key, authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const rest = (await res.json()) as { paths: Record<string, unknown> };
    const theirs = Object.keys(rest.paths).filter((p) => p !== '/').map((p) => `/rest/v1${p}`).sort();
    const ours = Object.keys(doc.paths).filter((p) => p.startsWith('/rest/v1/')).sort();
    expect(ours).toEqual(theirs);
  });

  it('follows the live schema: a table or function created now appears, with its comment', async () => {
    // In a scratch database, so the shared one (and the committed docs) never see the probe.
    const scratch = await scratchDatabase('docs');
    const pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
    try {
      await pool.query(`create table public.probe (id int primary key, label text not null, secret text)`);
      await pool.query(`comment on table public.probe is 'A probe table.\nSecond line of the description.'`);
      await pool.query(`comment on column public.probe.label is 'What it is called'`);
      await pool.query(`revoke all on public.probe from anon, authenticated; grant select on public.probe to anon`);
      await pool.query(`grant insert (label) on public.probe to authenticated; grant all on public.probe to service_role`);
      await pool.query(`create table public.hidden (id int primary key)`);
      await pool.query(`revoke all on public.hidden from anon, authenticated, service_role`);
      await pool.query(`create function public.add_one(n int) returns int language sql stable as 'select n + 1'`);
      await pool.query(`comment on function public.add_one(int) is 'Adds one.'`);
      const live = await buildOpenApi({ config: loadConfig(), adminPool: pool }, 'http://127.0.0.1:1');
      const get = live.paths['/rest/v1/probe']!.get!;
      expect(get.summary).toBe('List probe: A probe table.');
      expect(get.description).toContain('Second line of the description.');
      expect(get.description).toMatch(/^Allowed for `anon`, `service_role`\./);
      const row = live.components!.schemas!.probe as OpenAPIV3.SchemaObject;
      expect((row.properties!.label as OpenAPIV3.SchemaObject).description).toContain('What it is called');
      expect(live.paths['/rest/v1/probe']!.post!.description).toMatch(/^Allowed for `authenticated`, `service_role`\./);
      expect(live.paths['/rest/v1/probe']!.patch!.description).toMatch(/^Allowed for `service_role`\./);
      expect(live.paths).not.toHaveProperty('/rest/v1/hidden');
      expect(live.paths['/rest/v1/rpc/add_one']!.get!.summary).toBe('RPC add_one (GET): Adds one.');
      expect(live.paths['/rest/v1/rpc/add_one']!.post!.requestBody).toMatchObject({
        content: { 'application/json': { schema: { properties: { n: { type: 'integer' } }, required: ['n'] } } },
      });
    } finally {
      await pool.end();
      await scratch.drop();
    }
  });

  it('describes the edge functions\' request bodies with their own zod schemas', () => {
    expect(doc.components!.schemas!.PasswordReset).toEqual(openApiSchema(passwordResetSchema));
    expect(doc.components!.schemas!.MediaUpload).toEqual(asOneForm(openApiSchema(mediaUploadSchema)));
    const media = doc.components!.schemas!.MediaUpload as OpenAPIV3.SchemaObject;
    expect(media.properties!.file).toEqual({ type: 'string', format: 'binary' });
    expect(media.required).toEqual(['kind', 'file']);
  });

  it('a body the documented password-reset schema rejects is refused by the function with 400', async () => {
    const confirm = ((doc.components!.schemas!.PasswordReset as OpenAPIV3.SchemaObject).oneOf as OpenAPIV3.SchemaObject[])
      .find((v) => (v.properties!.action as OpenAPIV3.SchemaObject).enum?.[0] === 'confirm')!;
    const minLength = (confirm.properties!.token as OpenAPIV3.SchemaObject).minLength!;
    const res = await fetch(`${stack().apiUrl}/functions/v1/password-reset`, {
      method: 'POST',
      headers: { apikey: stack().anonKey, authorization: `Bearer ${stack().anonKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'confirm', token: 'x'.repeat(minLength - 1), password: 'a-new-password' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'bad_request' });
  });

  it('marks admin, user and open endpoints with the right security', () => {
    expect(operation('/health', 'get')!.security).toEqual([]);
    expect(operation('/auth/v1/admin/users', 'get')!.description).toMatch(/service_role/);
    expect(operation('/auth/v1/user', 'get')!.security).toEqual([{ apikey: [], bearer: [] }]);
  });
});
