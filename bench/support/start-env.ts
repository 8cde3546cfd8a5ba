/**
 * The allocator settings `npm start` runs the stack with (package.json's start script): without
 * them glibc keeps tens of MB of freed buffers in its arenas. Benches that measure the server's
 * memory run it with these, as a user's stack runs.
 */
export const START_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: '131072',
  MALLOC_MMAP_THRESHOLD_: '131072',
};
