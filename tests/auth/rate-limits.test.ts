import { describe, expect, it } from 'vitest';
import { EmailLimiter, RequestLimiter } from '../../stack/auth/ratelimit.js';
import { authFetch, uniqueEmail, uniqueIp } from './support.js';

// GoTrue keys its per-IP limits on the client address its proxy forwards (X-Forwarded-For);
// config.toml's [auth.rate_limit] gives 30 per 5 minutes for sign-ins/sign-ups and
// verifications and 150 for token refreshes, each with GoTrue's burst of 30.
async function burst(ip: string, path: string, json: unknown, n: number) {
  const statuses: number[] = [];
  let last: unknown;
  for (let i = 0; i < n; i++) {
    const res = await authFetch(path, { method: 'POST', headers: { 'x-forwarded-for': ip }, json });
    statuses.push(res.status);
    last = await res.json();
  }
  return { statuses, last };
}

describe('per-IP rate limits from [auth.rate_limit]', () => {
  it('sign_in_sign_ups: the 31st OTP request in a burst is a 429 over_request_rate_limit', async () => {
    const ip = uniqueIp();
    const { statuses, last } = await burst(ip, '/otp', { email: uniqueEmail('limited'), create_user: false }, 31);
    expect(statuses.slice(0, 30).every((s) => s === 422)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect(last).toEqual({ code: 429, error_code: 'over_request_rate_limit', msg: 'Request rate limit reached' });
    // Another client is not affected.
    const other = await authFetch('/otp', { method: 'POST', headers: { 'x-forwarded-for': uniqueIp() }, json: { email: uniqueEmail('other'), create_user: false } });
    expect(other.status).toBe(422);
  });

  it('token_verifications: the 31st verification in a burst is a 429', async () => {
    const { statuses } = await burst(uniqueIp(), '/verify', { type: 'magiclink', token_hash: 'not-a-real-hash' }, 31);
    expect(statuses.slice(0, 30).every((s) => s === 403)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('token_refresh: the 31st token request in a burst is a 429', async () => {
    const { statuses } = await burst(uniqueIp(), '/token?grant_type=refresh_token', { refresh_token: 'nosuchtoken1' }, 31);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe('the limiters', () => {
  it('refill at rate per window after the burst', () => {
    const limiter = new RequestLimiter({ rate: 30, windowSeconds: 300 });
    const t0 = 1_000_000;
    for (let i = 0; i < 30; i++) limiter.take('a', t0);
    expect(() => limiter.take('a', t0)).toThrow('Request rate limit reached');
    // 30 per 300 s is one every 10 s.
    expect(() => limiter.take('a', t0 + 9_000)).toThrow();
    expect(() => limiter.take('a', t0 + 10_500)).not.toThrow();
    expect(() => limiter.take('b', t0)).not.toThrow();
  });

  it('a request without a forwarded client address is not limited, as GoTrue without its rate-limit header value', () => {
    const limiter = new RequestLimiter({ rate: 1, windowSeconds: 300 }, 1);
    for (let i = 0; i < 100; i++) limiter.take(null);
  });

  it('email_sent counts mails per hour across the project when an SMTP server is configured', () => {
    const limiter = new EmailLimiter(2);
    const t0 = 5_000_000;
    limiter.take(t0);
    limiter.take(t0 + 1);
    expect(() => limiter.take(t0 + 2)).toThrow('Email rate limit exceeded');
    expect(() => limiter.take(t0 + 3_600_001)).not.toThrow();
    const local = new EmailLimiter(null);
    for (let i = 0; i < 10; i++) local.take(t0);
  });
});
