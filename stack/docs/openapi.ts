import type { OpenAPIV3 } from 'openapi-types';
import type pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { authPaths, authSchemas } from './auth-paths.js';
import { readCatalog } from './catalog.js';
import { functionPaths } from './function-paths.js';
import { opsPaths, opsSchemas } from './ops-paths.js';
import { restPaths } from './rest-paths.js';
import { storagePaths, storageSchemas } from './storage-paths.js';

export interface OpenApiSource {
  config: StackConfig;
  adminPool: pg.Pool;
}

const description = `Agora's whole backend, as served by the local stack and by a Supabase project.

**Keys.** Every call carries the project's key in the \`apikey\` header. Calls as a signed-in user also carry the user's access token as \`Authorization: Bearer <access_token>\` (from \`POST /auth/v1/token?grant_type=password\`); without one, the anon key is the bearer too. The \`service_role\` key bypasses row-level security: server-side only.

**Realtime** is a websocket at \`/realtime/v1/websocket?apikey=<key>&vsn=1.0.0\` (Phoenix channels: Postgres changes, broadcast, presence): use supabase-js \`channel()\`, it has no REST operations here.

**REST** paths are generated from the live database: every table, view and function of the exposed schemas that an API role may use, with the \`COMMENT ON\` text of the migrations and the roles that hold each privilege. Row-level security then decides which rows each caller sees.`;

/** One OpenAPI 3 document for the whole backend; `serverUrl` is where this stack answers. */
export async function buildOpenApi(source: OpenApiSource, serverUrl: string): Promise<OpenAPIV3.Document> {
  const { config } = source;
  const catalog = await readCatalog(source.adminPool, config.api.schemas);
  const rest = restPaths(catalog.relations, catalog.functions, config.api.schemas[0] ?? 'public');
  // zod and the functions' schemas load with the first request for the docs, not at start.
  const { loadFunctionSchemas } = await import('./function-schemas.js');
  const fns = functionPaths(await loadFunctionSchemas());
  return {
    openapi: '3.0.3',
    info: { title: 'Agora API', version: '1.0.0', description },
    servers: [{ url: serverUrl, description: 'This stack' }],
    tags: [
      { name: 'REST', description: 'PostgREST: tables, views and RPC (`/rest/v1`)' },
      { name: 'Auth', description: 'GoTrue: sign-up, sessions, users (`/auth/v1`)' },
      { name: 'Storage', description: 'Buckets and objects (`/storage/v1`)' },
      { name: 'Functions', description: 'Edge functions (`/functions/v1`)' },
      { name: 'Operations', description: 'Health and metrics of the stack' },
    ],
    // Supabase's API gateway wants the key on every request; the bearer token says who calls.
    security: [{ apikey: [], bearer: [] }],
    paths: { ...rest.paths, ...authPaths, ...storagePaths, ...fns.paths, ...opsPaths },
    components: {
      securitySchemes: {
        apikey: { type: 'apiKey', in: 'header', name: 'apikey', description: 'The anon key (public) or the service_role key (secret)' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A user\'s access token, or the anon / service_role key' },
      },
      parameters: rest.parameters,
      schemas: { ...rest.schemas, ...authSchemas, ...storageSchemas, ...fns.schemas, ...opsSchemas },
    },
  };
}
