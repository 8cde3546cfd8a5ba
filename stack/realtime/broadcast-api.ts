import type { Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import { topicKey, type Hub } from './hub.js';
import { verifyToken } from './tokens.js';

// Realtime's REST broadcast: `POST /realtime/v1/api/broadcast` with a batch of messages (what
// realtime-js falls back to when not joined), and `POST .../api/broadcast/:topic/events/:event`
// (`channel.httpSend`). Accepted messages answer 202 with an empty body.

export const MAX_MESSAGES_PER_REQUEST = 100;

async function authorized(c: Context, secret: Uint8Array): Promise<boolean> {
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  const token = bearer ?? c.req.header('apikey');
  return (await verifyToken(token, secret)).ok;
}

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

export function mountBroadcastApi(app: Hono, hub: Hub, secret: Uint8Array): void {
  // Browsers call it cross-origin (as behind Supabase's API gateway).
  app.use('/realtime/v1/api/*', cors({ origin: '*' }));
  app.post('/realtime/v1/api/broadcast', async (c) => {
    if (!(await authorized(c, secret))) return c.json({ message: 'Unauthorized' }, 401);
    let body: unknown;
    try {
      body = await c.req.json();
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
    for (const m of messages as { topic: string; event: string; payload: Record<string, unknown>; private?: boolean }[]) {
      // Private channels are authorized by RLS on realtime.messages, which this stack does not have.
      if (m.private) continue;
      hub.broadcast(topicKey(m.topic, false), { event: m.event, json: m.payload }, null, true);
    }
    return c.body(null, 202);
  });

  app.post('/realtime/v1/api/broadcast/:topic/events/:event', async (c) => {
    if (!(await authorized(c, secret))) return c.json({ message: 'Unauthorized' }, 401);
    const topic = c.req.param('topic');
    const event = c.req.param('event');
    const isPrivate = c.req.query('private') === 'true';
    const binary = (c.req.header('content-type') ?? '').startsWith('application/octet-stream');
    let user: { event: string; json?: unknown; binary?: Buffer };
    if (binary) {
      user = { event, binary: Buffer.from(await c.req.arrayBuffer()) };
    } else {
      try {
        user = { event, json: await c.req.json() };
      } catch {
        return c.json({ errors: { payload: ['is invalid'] } }, 422);
      }
    }
    if (!isPrivate) hub.broadcast(topicKey(topic, false), user, null, !binary);
    return c.body(null, 202);
  });
}
