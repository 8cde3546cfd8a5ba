/**
 * Events allowed per second over the whole stack (Realtime's tenant-wide rate counters):
 * `take()` counts one and says whether it is still within the limit for the current second.
 */
export class PerSecondLimit {
  private windowStart = 0;
  private count = 0;

  constructor(private readonly perSecond: number) {}

  take(now = Date.now()): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.count = 0;
    }
    return ++this.count <= this.perSecond;
  }
}
