import { configDefaults, defineConfig } from 'vitest/config';

// Tests that run in-process against the stack's modules and files alone: no Postgres, no running
// stack, no Deno. They form the `unit` project, which has no global setup, so
// `npx vitest run tests/rest/parse.test.ts` (or `npm run test:unit`) starts nothing. Everything
// else is `integration`: its global setup starts a throwaway stack unless `npm test` hands one
// over. A new test that needs neither belongs in this list.
const UNIT = [
  'tests/auth/settings.test.ts',
  'tests/functions/config.test.ts',
  'tests/ops/environments.test.ts',
  'tests/ops/workflows.test.ts',
  'tests/realtime/protocol.test.ts',
  'tests/realtime/rls-unavailable.test.ts',
  'tests/rest/parse.test.ts',
  'tests/rest/plan.test.ts',
  'tests/stack/body-limit.test.ts',
  'tests/stack/config.test.ts',
  'tests/stack/unsupported-settings.test.ts',
  'tests/storage/limits.test.ts',
  'tests/storage/resumable-state.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { NODE_ENV: 'test' },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: { name: 'integration', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, ...UNIT], globalSetup: ['tests/support/global-setup.ts'] },
      },
    ],
  },
});
