import type { OpenAPIV3 } from 'openapi-types';
import { exampleFor } from './example.js';

// Postman Collection v2.1 from our OpenAPI document. Own converter (not openapi-to-postmanv2):
// the output must be byte-for-byte deterministic so a test can tell when it is stale, and auth
// must follow Supabase's two-header scheme (apikey + bearer) through variables.

const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface KV { key: string; value: string; type?: string; disabled?: boolean; description?: string }
interface PostmanItem {
  name: string;
  request?: {
    method: string;
    header: KV[];
    auth?: { type: string; bearer?: KV[] };
    url: { raw: string; host: string[]; path: string[]; query?: KV[]; variable?: KV[] };
    body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } } | { mode: 'formdata'; formdata: KV[] };
    description?: string;
  };
  event?: Array<{ listen: 'test'; script: { type: 'text/javascript'; exec: string[] } }>;
  item?: PostmanItem[];
  description?: string;
}

export interface PostmanCollection {
  info: { name: string; description: string; schema: string };
  auth: { type: 'bearer'; bearer: KV[] };
  variable: KV[];
  item: PostmanItem[];
}

export interface PostmanEnvironment {
  name: string;
  values: Array<{ key: string; value: string; type: 'default' | 'secret'; enabled: true }>;
}

/** Admin endpoints (service_role) are recognisable by path: GoTrue's /admin and /invite, bucket writes. */
function needsServiceRole(path: string, method: string): boolean {
  return path.startsWith('/auth/v1/admin') || path === '/auth/v1/invite' || (path.startsWith('/storage/v1/bucket') && method !== 'get');
}

function resolveParam(p: OpenAPIV3.ParameterObject | OpenAPIV3.ReferenceObject, doc: OpenAPIV3.Document): OpenAPIV3.ParameterObject {
  return '$ref' in p ? (doc.components!.parameters![p.$ref.split('/').pop()!] as OpenAPIV3.ParameterObject) : p;
}

function resolveBody(b: OpenAPIV3.RequestBodyObject | OpenAPIV3.ReferenceObject | undefined): OpenAPIV3.RequestBodyObject | undefined {
  return b && !('$ref' in b) ? b : undefined;
}

function toItem(path: string, method: (typeof METHODS)[number], op: OpenAPIV3.OperationObject, shared: OpenAPIV3.ParameterObject[], doc: OpenAPIV3.Document): PostmanItem {
  const params = [...shared, ...(op.parameters ?? []).map((p) => resolveParam(p, doc))];
  const segments = path.split('/').filter(Boolean).map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
  const query = params.filter((p) => p.in === 'query').map((p) => ({ key: p.name, value: '', disabled: !p.required, ...(p.description ? { description: p.description } : {}) }));
  const variable = params.filter((p) => p.in === 'path').map((p) => ({ key: p.name, value: '', ...(p.description ? { description: p.description } : {}) }));
  const header: KV[] = params.filter((p) => p.in === 'header').map((p) => ({ key: p.name, value: '', disabled: true, ...(p.description ? { description: p.description } : {}) }));

  const open = Array.isArray(op.security) && op.security.length === 0;
  const admin = needsServiceRole(path, method);
  if (!open) header.unshift({ key: 'apikey', value: admin ? '{{serviceRoleKey}}' : '{{anonKey}}', type: 'text' });
  const auth = open ? { type: 'noauth' } : admin ? { type: 'bearer', bearer: [{ key: 'token', value: '{{serviceRoleKey}}', type: 'string' }] } : undefined;

  const body = resolveBody(op.requestBody);
  let pmBody: NonNullable<PostmanItem['request']>['body'];
  if (body?.content['application/json']) {
    pmBody = { mode: 'raw', raw: JSON.stringify(exampleFor(body.content['application/json'].schema, doc.components), null, 2), options: { raw: { language: 'json' } } };
    header.push({ key: 'Content-Type', value: 'application/json', type: 'text' });
  } else if (body?.content['multipart/form-data']) {
    const schema = body.content['multipart/form-data'].schema;
    const resolved = schema && '$ref' in schema ? doc.components?.schemas?.[schema.$ref.split('/').pop()!] : schema;
    const props = resolved && !('$ref' in resolved) ? Object.entries(resolved.properties ?? {}) : [];
    pmBody = { mode: 'formdata', formdata: props.map(([k, v]) => ({ key: k, value: '', type: !('$ref' in v) && v.format === 'binary' ? 'file' : 'text' })) };
  }

  const item: PostmanItem = {
    name: op.summary ?? `${method.toUpperCase()} ${path}`,
    request: {
      method: method.toUpperCase(),
      header,
      ...(auth ? { auth } : {}),
      url: {
        raw: `{{baseUrl}}/${segments.join('/')}`,
        host: ['{{baseUrl}}'],
        path: segments,
        ...(query.length ? { query } : {}),
        ...(variable.length ? { variable } : {}),
      },
      ...(pmBody ? { body: pmBody } : {}),
      ...(op.description ? { description: op.description } : {}),
    },
  };
  // Signing in stores the session's token: every later request then acts as that user.
  if (op.operationId === 'auth_token' || op.operationId === 'auth_signup') {
    item.event = [{
      listen: 'test',
      script: { type: 'text/javascript', exec: ["const s = pm.response.json();", "if (s.access_token) pm.collectionVariables.set('accessToken', s.access_token);", "if (s.refresh_token) pm.collectionVariables.set('refreshToken', s.refresh_token);"] },
    }];
    if (op.operationId === 'auth_token') item.request!.url.query = [{ key: 'grant_type', value: 'password' }];
  }
  return item;
}

export function toPostmanCollection(doc: OpenAPIV3.Document): PostmanCollection {
  const folders = new Map<string, PostmanItem[]>((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    if (!pathItem) continue;
    const shared = (pathItem.parameters ?? []).map((p) => resolveParam(p, doc));
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      if (!folders.has(tag)) folders.set(tag, []);
      folders.get(tag)!.push(toItem(path, method, op, shared, doc));
    }
  }
  return {
    info: { name: doc.info.title, description: doc.info.description ?? '', schema: SCHEMA },
    // Requests act as the signed-in user once "Sign in" ran, as anon before.
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] },
    variable: [
      { key: 'accessToken', value: '{{anonKey}}' },
      { key: 'refreshToken', value: '' },
    ],
    item: (doc.tags ?? []).map((t) => ({ name: t.name, description: t.description ?? '', item: folders.get(t.name) ?? [] }))
      .concat([...folders.entries()].filter(([k]) => !(doc.tags ?? []).some((t) => t.name === k)).map(([name, item]) => ({ name, description: '', item }))),
  };
}

/** The local environment: the stack's URL and the Supabase CLI's public demo keys. */
export function toPostmanEnvironment(baseUrl: string, anonKey: string, serviceRoleKey: string): PostmanEnvironment {
  return {
    name: 'Agora local',
    values: [
      { key: 'baseUrl', value: baseUrl, type: 'default', enabled: true },
      { key: 'anonKey', value: anonKey, type: 'default', enabled: true },
      { key: 'serviceRoleKey', value: serviceRoleKey, type: 'secret', enabled: true },
    ],
  };
}
