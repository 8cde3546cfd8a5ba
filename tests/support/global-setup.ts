import type { TestProject } from 'vitest/node';
import { startTestStack, type TestStackInfo } from './test-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: TestStackInfo;
  }
}

// `npm test` starts one throwaway stack and hands it over in AGORA_TEST_STACK; a bare
// `npx vitest` starts its own.
export default async function setup(project: TestProject) {
  const given = process.env.AGORA_TEST_STACK;
  if (given) {
    project.provide('stack', JSON.parse(given) as TestStackInfo);
    return;
  }
  const test = await startTestStack();
  project.provide('stack', test.info);
  return async () => test.stop();
}
