import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/config/load.js';
import { generatedDocsFiles } from '../../stack/docs/generated-files.js';
import type { PostmanCollection } from '../../stack/docs/postman.js';
import { stack } from '../support/env.js';

async function liveFiles(): Promise<Record<string, string>> {
  return generatedDocsFiles(await (await fetch(`${stack().apiUrl}/docs/openapi.json`)).json());
}

describe('docs/ Postman collection, environment and openapi.json', () => {
  it('are up to date with the live schema and code (else: npm run docs:postman)', async () => {
    for (const [file, expected] of Object.entries(await liveFiles())) {
      const name = path.relative(PROJECT_ROOT, file);
      let committed = '';
      try {
        committed = readFileSync(file, 'utf8');
      } catch {
        throw new Error(`${name} is missing: run \`npm run docs:postman\``);
      }
      expect(committed === expected, `${name} is stale: run \`npm run docs:postman\` and commit it`).toBe(true);
    }
  });

  it('cover every operation of the OpenAPI document, with auth through variables', async () => {
    const doc = await (await fetch(`${stack().apiUrl}/docs/openapi.json`)).json();
    const collection = JSON.parse(Object.entries(await liveFiles()).find(([f]) => f.endsWith('collection.json'))![1]) as PostmanCollection;
    const requests = collection.item.flatMap((folder) => folder.item ?? []).map((i) => `${i.request!.method} ${i.request!.url.raw}`);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) =>
      Object.keys(item).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} {{baseUrl}}${p.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    expect(requests.sort()).toEqual(operations.sort());
    expect(collection.auth.bearer[0].value).toBe('{{accessToken}}');
    const listPosts = collection.item.find((f) => f.name === 'REST')!.item!.find((i) => i.request!.url.raw === '{{baseUrl}}/rest/v1/posts' && i.request!.method === 'GET')!;
    expect(listPosts.request!.header).toContainEqual(expect.objectContaining({ key: 'apikey', value: '{{anonKey}}' }));
    const adminList = collection.item.find((f) => f.name === 'Auth')!.item!.find((i) => i.request!.url.raw === '{{baseUrl}}/auth/v1/admin/users' && i.request!.method === 'GET')!;
    expect(adminList.request!.auth?.bearer?.[0].value).toBe('{{serviceRoleKey}}');
  });

  it('a request built from the collection and its environment works against the stack', async () => {
    const files = await liveFiles();
    const collection = JSON.parse(Object.entries(files).find(([f]) => f.endsWith('collection.json'))![1]) as PostmanCollection;
    const env = JSON.parse(Object.entries(files).find(([f]) => f.endsWith('environment.json'))![1]) as { values: Array<{ key: string; value: string }> };
    const vars: Record<string, string> = Object.fromEntries([
      ...collection.variable.map((v) => [v.key, v.value]),
      ...env.values.map((v) => [v.key, v.value]),
      ['baseUrl', stack().apiUrl], // this run's port instead of 54321
    ]);
    const fill = (text: string): string => text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => fill(vars[k] ?? ''));
    const item = collection.item.find((f) => f.name === 'REST')!.item!.find((i) => i.request!.url.raw === '{{baseUrl}}/rest/v1/posts' && i.request!.method === 'GET')!;
    const headers: Record<string, string> = Object.fromEntries(item.request!.header.filter((h) => !h.disabled).map((h) => [h.key, fill(h.value)]));
    headers.authorization = `Bearer ${fill(collection.auth.bearer[0].value)}`;
    const res = await fetch(fill(item.request!.url.raw), { headers });
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
  });
});
