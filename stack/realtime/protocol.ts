// The Phoenix channels wire formats realtime-js speaks: vsn 1.0.0 (JSON objects), vsn 2.0.0
// (JSON arrays, plus binary frames for user broadcasts: kind 3 from clients, kind 4 to clients).

export type Vsn = '1.0.0' | '2.0.0';
export const VSNS: readonly Vsn[] = ['1.0.0', '2.0.0'];

/** A broadcast's user payload as it travelled: JSON bytes, raw binary bytes, or a parsed value. */
export interface UserBroadcast {
  event: string;
  /** The user payload, when it is JSON. */
  json?: unknown;
  /** The user payload, when it is binary (only vsn 2.0.0 clients can receive it). */
  binary?: Buffer;
  /** Extra top-level keys of the push (e.g. `meta`), kept for JSON re-encoding. */
  extra?: Record<string, unknown>;
}

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
  /** Set when the frame was a binary user broadcast push. */
  userBroadcast?: UserBroadcast;
  /** The frame's size on the wire, in bytes (an upper bound of its payload's). */
  size?: number;
}

export class ProtocolError extends Error {}

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const ENCODING_BINARY = 0;
const ENCODING_JSON = 1;

function refOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new ProtocolError('ref must be a string');
}

function checked(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): Frame {
  if (typeof topic !== 'string' || typeof event !== 'string') throw new ProtocolError('topic and event must be strings');
  return { joinRef: refOf(joinRef), ref: refOf(ref), topic, event, payload: payload ?? {} };
}

export function decodeText(text: string, vsn: Vsn): Frame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProtocolError('frame is not JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) throw new ProtocolError('expected [join_ref, ref, topic, event, payload]');
    return checked(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ProtocolError('expected a message object');
  const m = parsed as Record<string, unknown>;
  return checked(m.join_ref, m.ref, m.topic, m.event, m.payload);
}

/** Decodes realtime-js's binary user broadcast push (vsn 2.0.0 only). */
export function decodeBinary(buf: Buffer): Frame {
  if (buf.length < 7 || buf[0] !== KIND_USER_BROADCAST_PUSH) throw new ProtocolError('unsupported binary frame');
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [buf[1], buf[2], buf[3], buf[4], buf[5], buf[6]];
  let offset = 7;
  const take = (n: number) => {
    if (offset + n > buf.length) throw new ProtocolError('truncated binary frame');
    const s = buf.subarray(offset, offset + n).toString('utf8');
    offset += n;
    return s;
  };
  const joinRef = take(joinRefLen);
  const ref = take(refLen);
  const topic = take(topicLen);
  const event = take(eventLen);
  const metaText = take(metaLen);
  const body = buf.subarray(offset);
  let extra: Record<string, unknown> | undefined;
  try {
    extra = metaText ? (JSON.parse(metaText) as Record<string, unknown>) : undefined;
  } catch {
    throw new ProtocolError('broadcast metadata is not JSON');
  }
  const user: UserBroadcast = { event, extra };
  if (encoding === ENCODING_JSON) {
    try {
      user.json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ProtocolError('broadcast payload is not JSON');
    }
  } else if (encoding === ENCODING_BINARY) {
    user.binary = Buffer.from(body);
  } else {
    throw new ProtocolError('unknown payload encoding');
  }
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: 'broadcast',
    payload: { type: 'broadcast', event, ...(extra ?? {}), payload: user.json },
    userBroadcast: user,
  };
}

export function encodeText(vsn: Vsn, joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): string {
  if (vsn === '2.0.0') return JSON.stringify([joinRef, ref, topic, event, payload]);
  return JSON.stringify({ topic, event, payload, ref, join_ref: joinRef });
}

/** Like encodeText for a fan-out message (no refs) whose payload is already JSON. */
export function encodeTextRaw(vsn: Vsn, topic: string, event: string, payloadJson: string): string {
  if (vsn === '2.0.0') return `[null,null,${JSON.stringify(topic)},${JSON.stringify(event)},${payloadJson}]`;
  return `{"topic":${JSON.stringify(topic)},"event":${JSON.stringify(event)},"payload":${payloadJson},"ref":null,"join_ref":null}`;
}

/** A user broadcast as a vsn 2.0.0 client receives it: binary kind 4. */
export function encodeUserBroadcast(topic: string, user: UserBroadcast): Buffer {
  const topicBuf = Buffer.from(topic, 'utf8');
  const eventBuf = Buffer.from(user.event, 'utf8');
  const metaBuf = Buffer.alloc(0);
  if (topicBuf.length > 255 || eventBuf.length > 255) throw new ProtocolError('topic or event too long');
  const body = user.binary ?? Buffer.from(JSON.stringify(user.json ?? {}), 'utf8');
  const header = Buffer.from([
    KIND_USER_BROADCAST,
    topicBuf.length,
    eventBuf.length,
    metaBuf.length,
    user.binary ? ENCODING_BINARY : ENCODING_JSON,
  ]);
  return Buffer.concat([header, topicBuf, eventBuf, metaBuf, body]);
}

/** The JSON shape of a broadcast for clients that cannot take binary frames. */
export function broadcastJson(user: UserBroadcast): Record<string, unknown> {
  return { type: 'broadcast', event: user.event, ...(user.extra ?? {}), payload: user.json };
}
