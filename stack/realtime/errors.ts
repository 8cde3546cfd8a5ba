// Realtime's errors, in Supabase Realtime's own words: a join fails with `{reason: "Code: message"}`,
// a running channel is told with a `system` message before it is closed.

import type { ChangeBinding } from './filters.js';

export interface RealtimeError {
  code: string;
  message: string;
}

export const realtimeError = (code: string, message: string): RealtimeError => ({ code, message });

/** The `reason` of a failed join reply. */
export const joinReason = (e: RealtimeError): string => `${e.code}: ${e.message}`;

export const errors = {
  topicRequired: () => realtimeError('TopicNameRequired', 'You must provide a topic name'),
  malformedJwt: () => realtimeError('MalformedJWT', 'The token provided is not a valid JWT'),
  signature: () => realtimeError('JwtSignatureError', 'Failed to validate JWT signature'),
  expired: (secondsAgo: number) => realtimeError('InvalidJWTToken', `Token has expired ${secondsAgo} seconds ago`),
  missingClaims: () => realtimeError('InvalidJWTToken', 'Fields `role` and `exp` are required in JWT'),
  unauthorizedTopic: (topic: string) =>
    realtimeError('Unauthorized', `You do not have permissions to read from this Channel topic: ${topic}`),
  tooManyChannels: () => realtimeError('ChannelRateLimitReached', 'Too many channels'),
  tooManyJoins: () => realtimeError('ClientJoinRateLimitReached', 'Too many joins per second'),
} as const;

export const systemMessages = {
  subscribed: 'Subscribed to PostgreSQL',
  tooManyMessages: 'Too many messages per second',
  presencePayload: 'Presence track payload must be a map',
  clientPresenceRate: 'Client presence rate limit exceeded',
  trackTooLarge: 'Track message size exceeded',
  tooManyPresenceMessages: 'Too many presence messages per second',
  /** The websocket handshake's refusal when the stack has as many sockets as it takes (HTTP 429). */
  tooManyConnections: 'Too many connected users',
} as const;

/**
 * Why a postgres_changes binding was refused, worded as Realtime's Subscriptions.create logs its
 * parameters: `[event: *, schema: public, table: t, filters: [{"col", "eq", "1", false}], select: nil]`.
 */
export function subscribeFailure(binding: ChangeBinding, detail?: string): string {
  const filters = binding.filters.map((f) => {
    const value = Array.isArray(f.value) ? `{${f.value.join(',')}}` : f.value;
    return `{${JSON.stringify(f.column)}, ${JSON.stringify(f.op)}, ${JSON.stringify(value)}, ${f.negate === true}}`;
  });
  const shown = `event: ${binding.event}, schema: ${binding.schema}, table: ${binding.table}, filters: [${filters.join(', ')}], select: nil`;
  return detail
    ? `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${shown}]. Exception: ${detail}`
    : `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${shown}]`;
}
