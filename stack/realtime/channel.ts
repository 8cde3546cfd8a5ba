import type pg from 'pg';
import type { Logger } from 'pino';
import type { RealtimeLimits } from '../config/realtime-limits.js';
import { canWrite, readPolicies, type ReadPolicies } from './authorization.js';
import { errors, joinReason, subscribeFailure, systemMessages, type RealtimeError } from './errors.js';
import { parseBinding, type ChangeBinding } from './filters.js';
import { replayOnJoin } from './replay.js';
import { topicKey, type Hub, type Identity, type Member, type Outlet, type PgBinding } from './hub.js';
import type { Frame, UserBroadcast } from './protocol.js';
import type { PerSecondLimit } from './rate.js';
import { verifyToken } from './tokens.js';
import type { JwtKeys } from '../jwt/keys.js';

// One channel's life as RealtimeWeb.RealtimeChannel runs it: join (token, config, postgres_changes
// subscriptions), then broadcast, presence and access_token messages, until leave or close.

export interface RealtimeContext {
  hub: Hub;
  keys: JwtKeys;
  adminPool: pg.Pool;
  /** Logged in as authenticator: checks run as the client's role. */
  apiPool: pg.Pool;
  log: Logger;
  publication: string;
  /** Brings the change stream up (if it is not) and says whether it is streaming. */
  ensureStreaming: () => Promise<boolean>;
  /** Brings the database-broadcast stream up (if it is not), so what commits after the join reaches it. */
  ensureBroadcasting?: () => Promise<boolean>;
  limits: RealtimeLimits;
  /** Stack-wide counters for the per-second limits. */
  joins: PerSecondLimit;
  presenceEvents: PerSecondLimit;
}

/** The client side of a socket as a channel needs it. */
export interface SocketSide extends Outlet {
  /** The token given with the socket's `apikey`. */
  readonly apikey: string;
  readonly members: Map<string, Member>;
  reply(topic: string, joinRef: string | null, ref: string | null, status: 'ok' | 'error', response: unknown): void;
  /** Ends the whole socket (Phoenix's `disconnect` broadcast to the transport). */
  disconnect(): void;
}

const MAX_TIMER_MS = 60 * 60 * 1000;

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Same params → same id, as Realtime's `:erlang.phash2(params)`. */
function bindingId(params: unknown): number {
  const text = JSON.stringify(params);
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 134217728;
}

interface MemberState {
  expiry?: NodeJS.Timeout;
  presenceCalls: number[];
  /** Private channels: whether the client may broadcast / track presence, checked once (on first use). */
  broadcastWrite?: Promise<boolean | null>;
  presenceWrite?: Promise<boolean | null>;
}
const state = new WeakMap<Member, MemberState>();

export async function join(ctx: RealtimeContext, socket: SocketSide, frame: Frame): Promise<void> {
  const { topic, joinRef, ref } = frame;
  const fail = (e: RealtimeError | string) => socket.reply(topic, joinRef, ref, 'error', { reason: typeof e === 'string' ? e : joinReason(e) });
  if (topic === 'realtime:') return fail(errors.topicRequired());
  if (!ctx.joins.take()) {
    fail(errors.tooManyJoins());
    return socket.disconnect();
  }
  const subTopic = topic.slice('realtime:'.length);
  const payload = obj(frame.payload);
  const config = obj(payload.config);
  const previous = socket.members.get(topic);
  if (!previous && socket.members.size >= ctx.limits.maxChannelsPerClient) return fail(errors.tooManyChannels());

  const given = payload.access_token ?? payload.user_token;
  const accessToken = typeof given === 'string' && !given.startsWith('sb_') ? given : socket.apikey;
  const verified = await verifyToken(accessToken, ctx.keys);
  if (!verified.ok) return fail(verified.error);
  const identity: Identity = { role: verified.token.role, claims: verified.token.claims, exp: verified.token.exp };

  const isPrivate = config.private === true;
  const policies = isPrivate ? await readPolicies(ctx.adminPool, ctx.log, identity, subTopic) : null;
  if (policies && !mayJoin(policies)) return fail(errors.unauthorizedTopic(subTopic));
  const replay = await replayOnJoin(ctx.adminPool, ctx.log, config, subTopic, policies);
  if (!replay.ok) return fail(replay.reason);

  // postgres_changes: the reply carries each binding with its id; problems come as system messages.
  const rawBindings = Array.isArray(config.postgres_changes) ? config.postgres_changes.filter((p) => p != null) : [];
  const replyBindings = rawBindings.map((params) => ({ ...obj(params), id: bindingId(params) }));
  let pgBindings: PgBinding[] = [];
  let pgError: string | null = null;
  if (rawBindings.length) {
    const parsed: PgBinding[] = [];
    for (const params of rawBindings) {
      const r = parseBinding(params);
      if (!r.ok) {
        pgError = r.message;
        break;
      }
      const problem = await checkBinding(ctx, r.binding, identity.role);
      if (problem) {
        // a filter on a missing column fails in Realtime's database function, worded as Postgrex prints it
        const detail = problem === true ? undefined : problem.startsWith('invalid column') ? `ERROR P0001 (raise_exception) ${problem}` : problem;
        pgError = subscribeFailure(r.binding, detail);
        break;
      }
      parsed.push({ id: bindingId(params), binding: r.binding });
    }
    if (!pgError) pgBindings = parsed;
    // Changes committed once the join is answered must reach this subscriber: stream first.
    if (pgBindings.length && !(await ctx.ensureStreaming())) {
      pgError = 'Realtime was unable to connect to the project database';
      pgBindings = [];
    }
  }

  await ctx.ensureBroadcasting?.();
  if (previous) close(ctx, socket, previous);
  if (!socket.members.has(topic) && socket.members.size >= ctx.limits.maxChannelsPerClient) return fail(errors.tooManyChannels());
  const broadcast = obj(config.broadcast);
  const presence = obj(config.presence);
  const member: Member = {
    outlet: socket,
    topic,
    subTopic,
    joinRef,
    private: isPrivate,
    selfBroadcast: broadcast.self === true,
    ackBroadcast: broadcast.ack === true,
    presenceKey: typeof presence.key === 'string' && presence.key ? presence.key : crypto.randomUUID(),
    presenceEnabled: presence.enabled === true,
    presenceRead: policies?.presence ?? true,
    broadcastRead: policies?.broadcast ?? true,
    identity,
    accessToken,
    pgBindings,
    active: true,
  };
  state.set(member, { presenceCalls: [] });
  socket.members.set(topic, member);
  ctx.hub.add(member);
  scheduleExpiry(ctx, socket, member);

  socket.reply(topic, joinRef, ref, 'ok', { postgres_changes: replyBindings });
  if (pgError) system(socket, member, 'postgres_changes', 'error', pgError);
  else if (pgBindings.length) system(socket, member, 'postgres_changes', 'ok', systemMessages.subscribed);
  if (member.presenceEnabled && member.presenceRead) socket.push(topic, 'presence_state', ctx.hub.presenceState(member), joinRef);
  for (const message of replay.messages) socket.push(topic, 'broadcast', message, joinRef);
  if (broadcast.replication_ready === true) void notifyReplicationReady(ctx, socket, member);
}

/** `true`: the publication has no such table; a string: why the binding is invalid; null: fine. */
async function checkBinding(ctx: RealtimeContext, binding: ChangeBinding, role: string): Promise<true | string | null> {
  const { rows } = await ctx.adminPool.query(
    `select format('%I.%I', schemaname, tablename) as qualified, to_regrole($4) is not null as role_exists,
            case when to_regrole($4) is null then false else pg_has_role('authenticator', to_regrole($4), 'member') end as can_assume,
            array(select attname::text from pg_attribute where attrelid = format('%I.%I', schemaname, tablename)::regclass
                  and attnum > 0 and not attisdropped) as columns
       from pg_publication_tables
      where pubname = $1 and schemaname like (case $2 when '*' then '%' else $2 end) escape ''
        and tablename like (case $3 when '*' then '%' else $3 end) escape ''`,
    [ctx.publication, binding.schema, binding.table, role],
  );
  if (!rows.length) return true;
  if (!rows[0].role_exists || !rows[0].can_assume) return `role "${role}" does not exist`;
  for (const f of binding.filters) {
    if (!rows.every((r) => (r.columns as string[]).includes(f.column))) return `invalid column for filter ${f.column}`;
  }
  return null;
}

/** A private channel may be joined when RLS on realtime.messages lets the client read its broadcasts or presence. */
const mayJoin = (policies: ReadPolicies) => policies.broadcast || policies.presence;

async function notifyReplicationReady(ctx: RealtimeContext, socket: SocketSide, member: Member): Promise<void> {
  const ready = await ctx.ensureStreaming();
  if (!member.active) return;
  if (ready) system(socket, member, 'system', 'ok', 'Replication connection established');
  else shutdown(ctx, socket, member, 'Replication connection was not established in time');
}

function system(socket: SocketSide, member: Member, extension: string, status: 'ok' | 'error', message: string): void {
  socket.push(member.topic, 'system', { extension, status, message, channel: member.subTopic }, member.joinRef);
}

/** Ends a channel from the server side: the client is told why, then the channel closes. */
export function shutdown(ctx: RealtimeContext, socket: SocketSide, member: Member, message: string): void {
  if (!member.active) return;
  system(socket, member, 'system', 'error', message);
  close(ctx, socket, member);
}

/** Removes a member and tells its client the channel is closed. */
export function close(ctx: RealtimeContext, socket: SocketSide, member: Member, notify = true): void {
  const s = state.get(member);
  if (s?.expiry) clearTimeout(s.expiry);
  ctx.hub.remove(member);
  if (socket.members.get(member.topic) === member) socket.members.delete(member.topic);
  if (notify) socket.push(member.topic, 'phx_close', {}, member.joinRef);
}

function scheduleExpiry(ctx: RealtimeContext, socket: SocketSide, member: Member): void {
  const s = state.get(member)!;
  if (s.expiry) clearTimeout(s.expiry);
  const ms = Math.min(MAX_TIMER_MS, Math.max(0, member.identity.exp * 1000 - Date.now()));
  s.expiry = setTimeout(() => void confirmToken(ctx, socket, member), ms + 50);
  s.expiry.unref();
}

/** Re-checks the token when it should have expired: expired → the client is told and delivery stops. */
async function confirmToken(ctx: RealtimeContext, socket: SocketSide, member: Member): Promise<void> {
  if (!member.active) return;
  const verified = await verifyToken(member.accessToken, ctx.keys);
  if (!verified.ok) return shutdown(ctx, socket, member, verified.error.message);
  scheduleExpiry(ctx, socket, member);
}

export async function accessToken(ctx: RealtimeContext, socket: SocketSide, member: Member, frame: Frame): Promise<void> {
  const token = obj(frame.payload).access_token;
  if (typeof token !== 'string' || token.startsWith('sb_') || token === member.accessToken) return;
  const verified = await verifyToken(token, ctx.keys);
  if (!member.active) return;
  if (!verified.ok) return shutdown(ctx, socket, member, verified.error.message);
  member.accessToken = token;
  member.identity = { role: verified.token.role, claims: verified.token.claims, exp: verified.token.exp };
  // Permissions belong to the token: a new one is authorized afresh, as Realtime does.
  const s = state.get(member)!;
  s.broadcastWrite = s.presenceWrite = undefined;
  if (member.private) {
    const policies = await readPolicies(ctx.adminPool, ctx.log, member.identity, member.subTopic);
    // a new token that loses a read the old one had ends the channel, as Realtime's
    // check_read_permissions_revoked does
    if ((member.broadcastRead && !policies.broadcast) || (member.presenceRead && !policies.presence)) {
      if (member.active) shutdown(ctx, socket, member, `You no longer have permission to read from this Channel topic: ${member.subTopic}`);
      return;
    }
    member.broadcastRead = policies.broadcast;
    member.presenceRead = policies.presence;
  }
  scheduleExpiry(ctx, socket, member);
}

export async function broadcast(ctx: RealtimeContext, socket: SocketSide, member: Member, frame: Frame): Promise<void> {
  // Private channels: a client without insert permission on realtime.messages for the topic is
  // not heard; Realtime drops its broadcasts without a reply, even with ack.
  if (member.private && !(await mayBroadcast(ctx, member))) return;
  if (!member.active) return;
  // Too large: dropped, as Realtime does; a client asking for acks is told why.
  if ((frame.size ?? 0) > ctx.limits.maxPayloadBytes) {
    if (member.ackBroadcast) socket.reply(member.topic, member.joinRef, frame.ref, 'error', 'payload_size_exceeded');
    return;
  }
  const payload = obj(frame.payload);
  let user: UserBroadcast;
  if (frame.userBroadcast) {
    user = frame.userBroadcast;
  } else {
    if (typeof payload.event !== 'string') return;
    const { type: _type, event, payload: inner, ...extra } = payload;
    user = { event: event as string, json: inner, extra: Object.keys(extra).length ? extra : undefined };
  }
  ctx.hub.broadcast(topicKey(member.subTopic, member.private), user, member, !frame.userBroadcast);
  if (member.ackBroadcast) socket.reply(member.topic, member.joinRef, frame.ref, 'ok', {});
}

const mayBroadcast = (ctx: RealtimeContext, member: Member) => mayWrite(ctx, member, 'broadcast');

async function mayWrite(ctx: RealtimeContext, member: Member, extension: 'broadcast' | 'presence'): Promise<boolean> {
  const s = state.get(member)!;
  const slot = extension === 'broadcast' ? 'broadcastWrite' : 'presenceWrite';
  const check = (s[slot] ??= canWrite(ctx.apiPool, ctx.log, member.identity, member.subTopic, extension));
  const allowed = await check;
  // A check that could not be made is made again on the next use.
  if (allowed === null && s[slot] === check) s[slot] = undefined;
  return allowed === true;
}

export async function presence(ctx: RealtimeContext, socket: SocketSide, member: Member, frame: Frame): Promise<void> {
  const payload = obj(frame.payload);
  const event = typeof payload.event === 'string' ? payload.event.toLowerCase() : '';
  const s = state.get(member)!;
  const now = Date.now();
  s.presenceCalls = s.presenceCalls.filter((t) => now - t < ctx.limits.clientPresenceWindowMs);
  if (s.presenceCalls.length >= ctx.limits.clientPresenceMaxCalls) return shutdown(ctx, socket, member, systemMessages.clientPresenceRate);
  s.presenceCalls.push(now);
  if (event === 'track') {
    const meta = payload.payload ?? {};
    if (!meta || typeof meta !== 'object' || Array.isArray(meta)) {
      return socket.reply(member.topic, member.joinRef, frame.ref, 'error', { reason: systemMessages.presencePayload });
    }
    // Private channels: tracking needs insert permission for presence on realtime.messages, as Realtime checks
    if (member.private && !(await mayWrite(ctx, member, 'presence'))) {
      if (member.active) socket.reply(member.topic, member.joinRef, frame.ref, 'error', {});
      return;
    }
    if (!member.active) return;
    // Realtime's order: the payload's size, then the stack-wide presence rate. Past the payload
    // limit, or past what the stack holds for one socket or in all, the channel is ended alike.
    const serialized = JSON.stringify(meta);
    const bytes = Buffer.byteLength(serialized);
    if (bytes > ctx.limits.maxPayloadBytes || !ctx.hub.presenceFits(member, bytes)) return shutdown(ctx, socket, member, systemMessages.trackTooLarge);
    if (!ctx.presenceEvents.take()) return shutdown(ctx, socket, member, systemMessages.tooManyPresenceMessages);
    const wasEnabled = member.presenceEnabled;
    member.presenceEnabled = true;
    socket.reply(member.topic, member.joinRef, frame.ref, 'ok', {});
    if (!wasEnabled && member.presenceRead) socket.push(member.topic, 'presence_state', ctx.hub.presenceState(member), member.joinRef);
    ctx.hub.track(member, meta as Record<string, unknown>, serialized);
    return;
  }
  if (event === 'untrack') {
    ctx.hub.untrack(member);
    return socket.reply(member.topic, member.joinRef, frame.ref, 'ok', {});
  }
  // a message without an event is ignored, an unknown event refused (PresenceHandler.handle)
  socket.reply(member.topic, member.joinRef, frame.ref, event ? 'error' : 'ok', {});
}
