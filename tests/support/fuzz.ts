/**
 * Deterministic randomness for the fuzz tests: the same seed gives the same requests, so a
 * failure can be replayed (each suite reads its seed from an environment variable).
 */
export function seeded(seed: number) {
  // mulberry32: small, fast, and good enough to spread hostile inputs
  let state = seed;
  const rand = () => {
    state |= 0;
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    rand,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)],
    maybe: (p = 0.5) => rand() < p,
  };
}
