// What the stack hands on from its own environment to the processes it starts.

/**
 * Postgres's environment: the stack's, less the allocator tuning `npm start` gives Node
 * (MALLOC_*): Postgres manages its own memory.
 */
export function postgresEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('MALLOC_')));
}
