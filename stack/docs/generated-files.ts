import path from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { apiUrl, loadConfig, PROJECT_ROOT } from '../config/load.js';
import { toPostmanCollection, toPostmanEnvironment } from './postman.js';

/**
 * The committed files generated from the OpenAPI document (`npm run docs:postman`), keyed by
 * path. The document's server is the stack's default local URL, whichever port produced it, so
 * the output depends only on the schema and the code.
 */
export function generatedDocsFiles(live: OpenAPIV3.Document): Record<string, string> {
  const config = loadConfig({}, {});
  const baseUrl = apiUrl(config);
  const doc: OpenAPIV3.Document = { ...live, servers: [{ url: baseUrl, description: 'The local stack (`npm start`)' }] };
  const text = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    [path.join(PROJECT_ROOT, 'docs', 'openapi.json')]: text(doc),
    [path.join(PROJECT_ROOT, 'docs', 'agora.postman_collection.json')]: text(toPostmanCollection(doc)),
    [path.join(PROJECT_ROOT, 'docs', 'local.postman_environment.json')]: text(toPostmanEnvironment(baseUrl, config.anonKey, config.serviceRoleKey)),
  };
}
