import { tooManyRequests } from './errors.js';
import type { RequestLimit } from './settings.js';

/** GoTrue's tollbooth limiters allow a burst of 30 before the steady rate applies. */
const BURST = 30;

/** A token bucket per key (the client's IP), refilled at `rate / windowSeconds` per second. */
export class RequestLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;

  constructor(limit: RequestLimit, private readonly burst = BURST) {
    this.perSecond = limit.rate / limit.windowSeconds;
  }

  /** Takes one request from the key's bucket, or throws GoTrue's 429; no key, no limit. */
  take(key: string | null, now = Date.now()): void {
    if (key === null) return;
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      throw tooManyRequests('over_request_rate_limit', 'Request rate limit reached');
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
  }
}

/** The project-wide emails-per-hour budget (GoTrue's ratelimit.New(RateLimitEmailSent)). */
export class EmailLimiter {
  private sent: number[] = [];

  constructor(private readonly perHour: number | null) {}

  take(now = Date.now()): void {
    if (this.perHour === null) return;
    this.sent = this.sent.filter((t) => now - t < 3_600_000);
    if (this.sent.length >= this.perHour) throw tooManyRequests('over_email_send_rate_limit', 'Email rate limit exceeded');
    this.sent.push(now);
  }
}
