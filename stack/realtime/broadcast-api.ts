import type { Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import type pg from 'pg';
import type { Logger } from 'pino';
import { canBroadcast } from './authorization.js';
import { topicKey, type Hub, type Identity } from './hub.js';
import { verifyToken } from './tokens.js';
import { requestCredential } from '../jwt/credentials.js';
import type { JwtKeys } from '../jwt/keys.js';
import { BodyTooLarge, jsonNestsDeeper, readCapped, readCappedText } from '../gateway/body-limit.js';

const utf8 = new TextDecoder();

// Realtime's REST broadcast: `POST /realtime/v1/api/broadcast` with a batch of messages (what
// realtime-js falls back to when not joined), and `POST .../api/broadcast/:topic/events/:event`
// (`channel.httpSend`). Accepted messages answer 202 with an empty body.

export const MAX_MESSAGES_PER_REQUEST = 100;

/** The caller's identity from its bearer token (else its apikey); null when neither verifies. */
async function authorized(c: Context, keys: JwtKeys): Promise<Identity | null> {
  const credential = requestCredential(c.req.raw.headers, keys);
  if (credential.kind !== 'token') return null;
  const verified = await verifyToken(credential.token, keys);
  return verified.ok ? { role: verified.token.role, claims: verified.token.claims, exp: verified.token.exp } : null;
}

export interface BroadcastApiDeps {
  hub: Hub;
  keys: JwtKeys;
  apiPool: pg.Pool;
  log: Logger;
  /** Bodies past this many bytes get a 413 (the tenant's max_payload_size_in_kb). */
  maxBodyBytes: number;
}

/** Nesting allowed in a broadcast body. */
const MAX_JSON_DEPTH = 1000;
const tooLarge = (c: Context) => c.json({ message: 'Payload too large' }, 413);

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Returns the Ecto-style error list for each invalid message (empty when all are valid). */
function validate(messages: unknown[]): Record<string, string[]>[] {
  return messages.map((m) => {
    const e: Record<string, string[]> = {};
    if (!isMap(m)) return { message: ['is invalid'] };
    if (typeof m.topic !== 'string' || !m.topic) e.topic = ["can't be blank"];
    if (typeof m.event !== 'string' || !m.event) e.event = ["can't be blank"];
    if (!isMap(m.payload)) e.payload = m.payload === undefined ? ["can't be blank"] : ['is invalid'];
    if (m.private !== undefined && typeof m.private !== 'boolean') e.private = ['is invalid'];
    return e;
  });
}

export function mountBroadcastApi(app: Hono, { hub, keys, apiPool, log, maxBodyBytes }: BroadcastApiDeps): void {
  // Private topics take the caller's broadcast (insert) permission on realtime.messages, checked
  // once per topic and request; a message without it is dropped, the request still accepted, as
  // Realtime's BroadcastController does.
  const mayBroadcast = (identity: Identity) => {
    const checked = new Map<string, Promise<boolean | null>>();
    return async (topic: string) => {
      if (!checked.has(topic)) checked.set(topic, canBroadcast(apiPool, log, identity, topic));
      return (await checked.get(topic)) === true;
    };
  };

  // Browsers call it cross-origin (as behind Supabase's API gateway).
  app.use('/realtime/v1/api/*', cors({ origin: '*' }));
  app.post('/realtime/v1/api/broadcast', async (c) => {
    const identity = await authorized(c, keys);
    if (!identity) return c.json({ message: 'Unauthorized' }, 401);
    let text: string;
    try {
      text = await readCappedText(c.req.raw, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) return tooLarge(c);
      throw err;
    }
    let body: unknown;
    try {
      if (jsonNestsDeeper(text, MAX_JSON_DEPTH)) throw new Error('nested too deeply');
      body = JSON.parse(text);
    } catch {
      return c.json({ errors: { body: ['is not valid JSON'] } }, 400);
    }
    const messages = isMap(body) ? body.messages : undefined;
    if (!Array.isArray(messages) || !messages.length) return c.json({ errors: { messages: ["can't be blank"] } }, 422);
    if (messages.length > MAX_MESSAGES_PER_REQUEST) {
      return c.json({ message: 'Too many messages to broadcast, please reduce the batch size' }, 429);
    }
    const problems = validate(messages);
    if (problems.some((p) => Object.keys(p).length)) return c.json({ errors: { messages: problems } }, 422);
    const allowed = mayBroadcast(identity);
    for (const m of messages as { topic: string; event: string; payload: Record<string, unknown>; private?: boolean }[]) {
      if (m.private && !(await allowed(m.topic))) continue;
      hub.broadcast(topicKey(m.topic, m.private === true), { event: m.event, json: m.payload }, null, true);
    }
    return c.body(null, 202);
  });

  app.post('/realtime/v1/api/broadcast/:topic/events/:event', async (c) => {
    const identity = await authorized(c, keys);
    if (!identity) return c.json({ message: 'Unauthorized' }, 401);
    const topic = c.req.param('topic');
    const event = c.req.param('event');
    const isPrivate = c.req.query('private') === 'true';
    const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const binary = type === 'application/octet-stream';
    // JSON or bytes only, as Realtime's BroadcastSingleController accepts
    if (!binary && type !== 'application/json') return c.json({ message: 'Unsupported media type' }, 415);
    let raw: Uint8Array;
    try {
      raw = await readCapped(c.req.raw, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) return tooLarge(c);
      throw err;
    }
    let user: { event: string; json?: unknown; binary?: Buffer };
    if (binary) {
      user = { event, binary: Buffer.from(raw) };
    } else {
      const text = utf8.decode(raw);
      let json: unknown;
      try {
        if (jsonNestsDeeper(text, MAX_JSON_DEPTH)) throw new Error('nested too deeply');
        // an empty body is the empty payload; a JSON value that is not an object arrives as
        // Plug.Parsers hands it over, under `_json`
        json = text.trim() ? JSON.parse(text) : {};
      } catch {
        return c.json({ errors: { payload: ['is invalid'] } }, 422);
      }
      user = { event, json: isMap(json) ? json : { _json: json } };
    }
    // a private topic without insert permission is refused here (the batch endpoint drops instead)
    if (isPrivate && !(await mayBroadcast(identity)(topic))) return c.json({ message: 'Unauthorized' }, 403);
    hub.broadcast(topicKey(topic, isPrivate), user, null, !binary);
    return c.body(null, 202);
  });
}
