import type { ChangeBinding } from './filters.js';
import { realtimeChannels, realtimeMessages } from '../gateway/metrics.js';
import { PresenceStore, type PresenceBudget, type PresenceDiff } from './presence.js';
import { BroadcastFrames } from './broadcast-frames.js';
import type { UserBroadcast, Vsn } from './protocol.js';

// Who is joined where: channel members grouped by topic, and the fan-out of broadcasts and
// presence between them. Private and public channels of the same name are separate topics.

/** The socket side of a member: how messages reach its client. */
export interface Outlet {
  readonly vsn: Vsn;
  push(topic: string, event: string, payload: unknown, joinRef: string | null, ref?: string | null): void;
  /** A fan-out message whose payload is already JSON (no refs). */
  pushEncoded(topic: string, event: string, payloadJson: string): void;
  /** A frame already encoded (shared by every member it goes to): sent as is, binary or text. */
  pushFrame(data: Buffer, binary: boolean): void;
}

export interface PgBinding {
  id: number;
  binding: ChangeBinding;
}

export interface Identity {
  role: string;
  claims: Record<string, unknown>;
  exp: number;
}

export interface Member {
  outlet: Outlet;
  /** `realtime:<name>` as the client sent it. */
  topic: string;
  subTopic: string;
  joinRef: string | null;
  private: boolean;
  selfBroadcast: boolean;
  ackBroadcast: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
  /** Private channels: whether RLS lets the client see presence / broadcasts (always true on public ones). */
  presenceRead: boolean;
  broadcastRead: boolean;
  identity: Identity;
  accessToken: string;
  pgBindings: PgBinding[];
  /** Cleared when the channel closes; nothing is delivered after. */
  active: boolean;
}

export const topicKey = (subTopic: string, isPrivate: boolean) => `${isPrivate ? 'private' : 'public'}:${subTopic}`;
const keyOf = (m: Member) => topicKey(m.subTopic, m.private);

export class Hub {
  private topics = new Map<string, Set<Member>>();
  /** Members with at least one postgres_changes binding. */
  readonly changeMembers = new Set<Member>();
  readonly presence: PresenceStore;
  /** Told how many postgres_changes subscribers there are whenever that changes. */
  onChangeSubscribers: (count: number) => void = () => {};
  memberCount = 0;
  /** Told how many channel members there are whenever that changes. */
  onMembers: (count: number) => void = () => {};

  constructor(presenceBudget?: PresenceBudget) {
    this.presence = new PresenceStore(presenceBudget);
  }

  add(member: Member): void {
    const key = keyOf(member);
    let set = this.topics.get(key);
    if (!set) this.topics.set(key, (set = new Set()));
    set.add(member);
    realtimeChannels.inc();
    this.onMembers(++this.memberCount);
    if (member.pgBindings.length) {
      this.changeMembers.add(member);
      this.onChangeSubscribers(this.changeMembers.size);
    }
  }

  remove(member: Member): void {
    member.active = false;
    const key = keyOf(member);
    const set = this.topics.get(key);
    if (set?.delete(member)) {
      realtimeChannels.dec();
      this.onMembers(--this.memberCount);
    }
    if (set && !set.size) this.topics.delete(key);
    if (this.changeMembers.delete(member)) this.onChangeSubscribers(this.changeMembers.size);
    const diff = this.presence.untrack(key, member);
    if (diff) this.presenceDiff(key, diff);
  }

  /** Sends a broadcast to a topic's members (not to `from` unless it asked for `self`). */
  broadcast(key: string, user: UserBroadcast, from: Member | null, asJson: boolean): void {
    const set = this.topics.get(key);
    if (!set) return;
    // Encoded once per broadcast and shared, not once per member: fan-out to thousands is mostly this.
    const frames = new BroadcastFrames(user, asJson);
    let sent = 0;
    for (const m of set) {
      if (!m.active || (m === from && !m.selfBroadcast)) continue;
      const frame = frames.for(m.outlet.vsn, m.topic);
      if (!frame) continue;
      m.outlet.pushFrame(frame.data, frame.binary);
      sent++;
    }
    if (sent) realtimeMessages.inc({ kind: 'broadcast' }, sent);
  }

  /** Whether tracking `bytes` of presence for `member` stays within the presence budget. */
  presenceFits(member: Member, bytes: number): boolean {
    return this.presence.fits(keyOf(member), member, member.outlet, bytes);
  }

  track(member: Member, payload: Record<string, unknown>, serialized: string): void {
    const key = keyOf(member);
    const diff = this.presence.track(key, member, member.outlet, member.presenceKey, payload, serialized);
    if (diff) this.presenceDiff(key, diff);
  }

  untrack(member: Member): void {
    const key = keyOf(member);
    const diff = this.presence.untrack(key, member);
    if (diff) this.presenceDiff(key, diff);
  }

  presenceState(member: Member): Record<string, unknown> {
    return this.presence.list(keyOf(member));
  }

  private presenceDiff(key: string, diff: PresenceDiff): void {
    for (const m of this.topics.get(key) ?? []) {
      if (!m.active || !m.presenceRead) continue;
      realtimeMessages.inc({ kind: 'presence' });
      m.outlet.push(m.topic, 'presence_diff', diff, null);
    }
  }
}
