import { createHash, randomBytes } from 'node:crypto';

// Phoenix Presence for one node: per topic, each key holds the metas tracked under it (one per
// tracking channel member), each meta stamped with a unique `phx_ref`.

export type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceMap = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
  joins: PresenceMap;
  leaves: PresenceMap;
}

interface Entry {
  owner: object;
  /** Whose budget the payload counts against (the socket). */
  holder: object;
  bytes: number;
  key: string;
  meta: Meta;
  /** A digest of the tracked payload, to tell a repeated track from a change without keeping a second copy. */
  digest: string;
}

let counter = 0;
const prefix = randomBytes(4).toString('base64url');
const newRef = () => `${prefix}${(++counter).toString(36)}`;

/** How much presence the store holds at most: per socket and in all. */
export interface PresenceBudget {
  perHolder: number;
  total: number;
}

export class PresenceStore {
  private topics = new Map<string, Entry[]>();
  private byHolder = new Map<object, number>();
  private total = 0;

  constructor(private readonly budget: PresenceBudget = { perHolder: Infinity, total: Infinity }) {}

  /** Whether `owner` (held by `holder`) may track `bytes` of payload on `topic`, its current one replaced. */
  fits(topic: string, owner: object, holder: object, bytes: number): boolean {
    const current = this.topics.get(topic)?.find((e) => e.owner === owner)?.bytes ?? 0;
    return (this.byHolder.get(holder) ?? 0) - current + bytes <= this.budget.perHolder && this.total - current + bytes <= this.budget.total;
  }

  /** Bytes of presence payload held now (all topics). */
  get bytes(): number {
    return this.total;
  }

  private account(holder: object, delta: number): void {
    const next = (this.byHolder.get(holder) ?? 0) + delta;
    if (next > 0) this.byHolder.set(holder, next);
    else this.byHolder.delete(holder);
    this.total += delta;
  }

  /** Everyone present on a topic, grouped by key (the `presence_state` payload). */
  list(topic: string): PresenceMap {
    const out: PresenceMap = {};
    for (const e of this.topics.get(topic) ?? []) (out[e.key] ??= { metas: [] }).metas.push(e.meta);
    return out;
  }

  /** Tracks or updates `owner`'s presence (`serialized` is the payload as JSON); null when nothing changed. */
  track(topic: string, owner: object, holder: object, key: string, payload: Record<string, unknown>, serialized: string): PresenceDiff | null {
    const entries = this.topics.get(topic) ?? [];
    const digest = createHash('sha256').update(serialized).digest('base64');
    const existing = entries.find((e) => e.owner === owner);
    if (existing && existing.key === key && existing.digest === digest) return null;
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    const meta: Meta = { ...payload, phx_ref: newRef() };
    if (existing) {
      meta.phx_ref_prev = existing.meta.phx_ref;
      diff.leaves[existing.key] = { metas: [existing.meta] };
      entries.splice(entries.indexOf(existing), 1);
      this.account(existing.holder, -existing.bytes);
    }
    const bytes = Buffer.byteLength(serialized);
    entries.push({ owner, holder, bytes, key, meta, digest });
    this.account(holder, bytes);
    this.topics.set(topic, entries);
    diff.joins[key] = { metas: [meta] };
    return diff;
  }

  /** Removes `owner`'s presence; null when it had none. */
  untrack(topic: string, owner: object): PresenceDiff | null {
    const entries = this.topics.get(topic);
    const existing = entries?.find((e) => e.owner === owner);
    if (!entries || !existing) return null;
    entries.splice(entries.indexOf(existing), 1);
    this.account(existing.holder, -existing.bytes);
    if (!entries.length) this.topics.delete(topic);
    return { joins: {}, leaves: { [existing.key]: { metas: [existing.meta] } } };
  }
}
