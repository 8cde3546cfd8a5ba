// Realtime's per-tenant limits with the defaults a Supabase Realtime server gives a tenant
// (TENANT_MAX_* in its runtime config, the tenant schema's defaults, CLIENT_PRESENCE_*).
// Each can be changed with an AGORA_REALTIME_* variable, e.g. for a load test.

export interface RealtimeLimits {
  /** Sockets open at once (`max_concurrent_users`). */
  maxConcurrentUsers: number;
  /** Channels one socket may join (`max_channels_per_client`). */
  maxChannelsPerClient: number;
  /** Channel joins per second over all sockets (`max_joins_per_second`). */
  maxJoinsPerSecond: number;
  /** Presence events per second over all sockets (`max_presence_events_per_second`). */
  maxPresenceEventsPerSecond: number;
  /** Largest broadcast or presence payload, in bytes (`max_payload_size_in_kb` × 1000, plus Realtime's 500-byte allowance). */
  maxPayloadBytes: number;
  /** Presence calls one channel may make per window (CLIENT_PRESENCE_MAX_CALLS / _WINDOW_MS). */
  clientPresenceMaxCalls: number;
  clientPresenceWindowMs: number;
  /**
   * Bytes queued for one socket that does not read them before it is dropped: a client that
   * stops reading must not make the server hold its fan-out forever.
   */
  maxBufferedBytesPerSocket: number;
  /**
   * Presence payload bytes held for one socket, and for all: Realtime has no such caps (its
   * cluster spreads the load); one process must not let a few sockets fill its memory.
   */
  maxPresenceBytesPerSocket: number;
  maxPresenceBytesTotal: number;
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(raw)}`);
  return n;
}

export function realtimeLimits(): RealtimeLimits {
  return {
    maxConcurrentUsers: positive('AGORA_REALTIME_MAX_CONCURRENT_USERS', 200),
    maxChannelsPerClient: positive('AGORA_REALTIME_MAX_CHANNELS_PER_CLIENT', 100),
    maxJoinsPerSecond: positive('AGORA_REALTIME_MAX_JOINS_PER_SECOND', 100),
    maxPresenceEventsPerSecond: positive('AGORA_REALTIME_MAX_PRESENCE_EVENTS_PER_SECOND', 1000),
    maxPayloadBytes: positive('AGORA_REALTIME_MAX_PAYLOAD_SIZE_IN_KB', 3000) * 1000 + 500,
    clientPresenceMaxCalls: 5,
    clientPresenceWindowMs: 30_000,
    maxBufferedBytesPerSocket: 64 * 1024 * 1024,
    maxPresenceBytesPerSocket: positive('AGORA_REALTIME_MAX_PRESENCE_MB_PER_SOCKET', 10) * 1024 * 1024,
    maxPresenceBytesTotal: positive('AGORA_REALTIME_MAX_PRESENCE_MB', 512) * 1024 * 1024,
  };
}
