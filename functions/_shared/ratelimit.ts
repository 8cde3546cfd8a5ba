/**
 * Fixed-window counters per key (an email, an IP), kept in the worker's memory: enough for one
 * local worker per function; a restart starts the windows afresh.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(readonly limit: number, readonly windowMs: number, private now: () => number = Date.now) {}

  /** Counts one attempt for `key`; false (with seconds to wait) once the window's limit is spent. */
  hit(key: string): { allowed: true } | { allowed: false; retryAfter: number } {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    if (this.windows.size > 10_000) this.sweep(t);
    if (w.count >= this.limit) return { allowed: false, retryAfter: Math.ceil((w.start + this.windowMs - t) / 1000) };
    w.count++;
    return { allowed: true };
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
