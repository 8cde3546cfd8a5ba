// `npm run docs:postman`: builds the OpenAPI document from a throwaway stack (the migrations as
// they are now, no seed) and writes docs/openapi.json, the Postman collection and its local
// environment. tests/ops/postman.test.ts fails when these files are stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../stack/config/load.js';
import { generatedDocsFiles } from '../stack/docs/generated-files.js';
import { log } from '../stack/log.js';
import { startTestStack } from '../tests/support/test-stack.js';

// The throwaway stack's shutdown warnings (pools losing their server) are noise here.
if (!process.env.AGORA_LOG_LEVEL) log.level = 'error';
const test = await startTestStack();
try {
  const res = await fetch(`${test.info.apiUrl}/docs/openapi.json`);
  if (!res.ok) throw new Error(`GET /docs/openapi.json answered ${res.status}`);
  for (const [file, content] of Object.entries(generatedDocsFiles(await res.json()))) {
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path.relative(PROJECT_ROOT, file)}\n`);
  }
} finally {
  await test.stop();
}
