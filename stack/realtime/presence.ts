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
  key: string;
  meta: Meta;
  /** A digest of the tracked payload, to tell a repeated track from a change without keeping a second copy. */
  digest: string;
}

let counter = 0;
const prefix = randomBytes(4).toString('base64url');
const newRef = () => `${prefix}${(++counter).toString(36)}`;

export class PresenceStore {
  private topics = new Map<string, Entry[]>();

  /** Everyone present on a topic, grouped by key (the `presence_state` payload). */
  list(topic: string): PresenceMap {
    const out: PresenceMap = {};
    for (const e of this.topics.get(topic) ?? []) (out[e.key] ??= { metas: [] }).metas.push(e.meta);
    return out;
  }

  /** Tracks or updates `owner`'s presence; null when nothing changed. */
  track(topic: string, owner: object, key: string, payload: Record<string, unknown>): PresenceDiff | null {
    const entries = this.topics.get(topic) ?? [];
    const digest = createHash('sha256').update(JSON.stringify(payload)).digest('base64');
    const existing = entries.find((e) => e.owner === owner);
    if (existing && existing.key === key && existing.digest === digest) return null;
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    const meta: Meta = { ...payload, phx_ref: newRef() };
    if (existing) {
      meta.phx_ref_prev = existing.meta.phx_ref;
      diff.leaves[existing.key] = { metas: [existing.meta] };
      entries.splice(entries.indexOf(existing), 1);
    }
    entries.push({ owner, key, meta, digest });
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
    if (!entries.length) this.topics.delete(topic);
    return { joins: {}, leaves: { [existing.key]: { metas: [existing.meta] } } };
  }
}
