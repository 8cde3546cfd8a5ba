import assert from 'node:assert/strict';
import { RateLimiter } from './ratelimit.ts';

Deno.test('a key gets `limit` attempts per window, then waits for the next window', () => {
  let now = 0;
  const limiter = new RateLimiter(2, 1000, () => now);
  assert.deepEqual(limiter.hit('a'), { allowed: true });
  assert.deepEqual(limiter.hit('a'), { allowed: true });
  assert.deepEqual(limiter.hit('a'), { allowed: false, retryAfter: 1 });
  assert.deepEqual(limiter.hit('b'), { allowed: true });
  now = 1000;
  assert.deepEqual(limiter.hit('a'), { allowed: true });
});
