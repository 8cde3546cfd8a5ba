import { broadcastJson, encodeTextRaw, encodeUserBroadcast, type UserBroadcast, type Vsn } from './protocol.js';

// One broadcast's outgoing frames. A broadcast push carries no join_ref and no ref (Realtime
// fastlanes it pre-encoded), so every member of a topic can be sent the very same bytes: each
// wire format is encoded once per broadcast and its Buffer handed to every socket, instead of
// being serialised again per subscriber.

export interface SharedFrame {
  data: Buffer;
  /** A websocket binary frame (vsn 2.0.0 user broadcast), else a text frame. */
  binary: boolean;
}

export class BroadcastFrames {
  private payloadJson: string | null = null;
  /** By wire format and topic string: members of one topic normally share both, so this stays tiny. */
  private readonly frames = new Map<string, SharedFrame | null>();
  /** The last answer, checked first: consecutive members nearly always want the same frame. */
  private last: { vsn: Vsn; topic: string; frame: SharedFrame | null } | null = null;

  /** `asJson`: the broadcast came as JSON (a JSON push or the REST API), so it travels as JSON to everyone. */
  constructor(
    private readonly user: UserBroadcast,
    private readonly asJson: boolean,
  ) {}

  /** The frame for a member on `vsn` that joined as `topic`, or null when it cannot take this broadcast. */
  for(vsn: Vsn, topic: string): SharedFrame | null {
    const last = this.last;
    if (last && last.vsn === vsn && last.topic === topic) return last.frame;
    const key = `${vsn}\u0000${topic}`;
    let frame = this.frames.get(key);
    if (frame === undefined) {
      frame = this.encode(vsn, topic);
      this.frames.set(key, frame);
    }
    this.last = { vsn, topic, frame };
    return frame;
  }

  private encode(vsn: Vsn, topic: string): SharedFrame | null {
    // realtime-js's binary pushes reach vsn 2.0.0 clients as binary and 1.0.0 clients as JSON;
    // a binary payload cannot be put in JSON, so those clients do not get it.
    if (this.asJson || vsn === '1.0.0') {
      if (this.user.binary) return null;
      this.payloadJson ??= JSON.stringify(broadcastJson(this.user));
      return { data: Buffer.from(encodeTextRaw(vsn, topic, 'broadcast', this.payloadJson), 'utf8'), binary: false };
    }
    try {
      return { data: encodeUserBroadcast(topic, this.user), binary: true };
    } catch {
      return null; // topic or event too long for the binary header
    }
  }
}
