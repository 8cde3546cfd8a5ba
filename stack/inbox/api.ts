import { Hono } from 'hono';
import { matches } from './search.js';
import type { MessageStore, StoredMessage } from './store.js';
import { inboxPage } from './page.js';

/** Mailpit's MessageSummary: the message without bodies, with a snippet of the text. */
function summary(m: StoredMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    Read: m.Read,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    Subject: m.Subject,
    Created: m.Created,
    Tags: m.Tags,
    Size: m.Size,
    Attachments: m.Attachments.length,
    Snippet: m.Text.replace(/\s+/g, ' ').trim().slice(0, 250),
  };
}

/** Mailpit's Message: everything but the raw source and the read flag. */
function detail(m: StoredMessage) {
  return {
    ID: m.ID,
    MessageID: m.MessageID,
    From: m.From,
    To: m.To,
    Cc: m.Cc,
    Bcc: m.Bcc,
    ReplyTo: m.ReplyTo,
    ReturnPath: m.ReturnPath,
    Subject: m.Subject,
    ListUnsubscribe: { Header: '', Links: [], Errors: '', HeaderPost: '' },
    Date: m.Date,
    Tags: m.Tags,
    Text: m.Text,
    HTML: m.HTML,
    Size: m.Size,
    Inline: m.Inline,
    Attachments: m.Attachments,
  };
}

function page(list: StoredMessage[], url: URL) {
  const start = Math.max(0, Number.parseInt(url.searchParams.get('start') ?? '0', 10) || 0);
  const limit = Math.max(1, Number.parseInt(url.searchParams.get('limit') ?? '50', 10) || 50);
  return { start, messages: list.slice(start, start + limit) };
}

/** Mailpit's JSON API (the subset Supabase's local stack users rely on) and a page to read mail. */
export function createInboxApp(store: MessageStore): Hono {
  const app = new Hono();
  const plain = (text: string, status: 200 | 400 | 404 = 200) =>
    new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

  app.get('/', (c) => c.html(inboxPage()));

  app.get('/api/v1/messages', (c) => {
    const { start, messages } = page(store.list(), new URL(c.req.url));
    const stats = store.stats();
    return c.json({
      total: stats.total,
      unread: stats.unread,
      count: messages.length,
      messages_count: stats.total,
      start,
      tags: [],
      messages: messages.map(summary),
    });
  });

  app.get('/api/v1/search', (c) => {
    const query = (c.req.query('query') ?? '').trim();
    if (!query) return plain('Error: no search query', 400);
    const found = store.list().filter((m) => matches(m, query));
    const { start, messages } = page(found, new URL(c.req.url));
    const stats = store.stats();
    return c.json({
      total: stats.total,
      unread: stats.unread,
      count: messages.length,
      messages_count: found.length,
      start,
      tags: [],
      messages: messages.map(summary),
    });
  });

  app.delete('/api/v1/messages', async (c) => {
    let ids: string[] | undefined;
    try {
      const body = (await c.req.json()) as { IDs?: unknown };
      if (Array.isArray(body?.IDs)) ids = body.IDs.map(String);
    } catch {
      // No body (or not JSON): Mailpit deletes everything.
    }
    store.delete(ids);
    return plain('ok');
  });

  app.put('/api/v1/messages', async (c) => {
    let body: { IDs?: unknown; Read?: unknown };
    try {
      body = (await c.req.json()) as { IDs?: unknown; Read?: unknown };
    } catch (err) {
      return plain((err as Error).message, 400);
    }
    const read = body?.Read === true;
    const ids = Array.isArray(body?.IDs) ? new Set(body.IDs.map(String)) : null;
    for (const m of store.list()) if (!ids || ids.size === 0 || ids.has(m.ID)) m.Read = read;
    return plain('ok');
  });

  app.delete('/api/v1/search', (c) => {
    const query = (c.req.query('query') ?? '').trim();
    if (!query) return plain('Error: no search query', 400);
    store.delete(store.list().filter((m) => matches(m, query)).map((m) => m.ID));
    return plain('ok');
  });

  app.get('/api/v1/message/:id/headers', (c) => {
    const message = store.get(c.req.param('id'));
    if (!message) return plain('Message not found', 404);
    const headers: Record<string, string[]> = {};
    const text = message.raw.toString('utf8');
    const head = text.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
    for (const line of head.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i > 0) (headers[line.slice(0, i).trim()] ??= []).push(line.slice(i + 1).trim());
    }
    return c.json(headers);
  });

  app.get('/api/v1/message/:id', (c) => {
    const id = c.req.param('id');
    const message = id === 'latest' ? store.list()[0] : store.get(id);
    if (!message) return plain('Message not found', 404);
    message.Read = true;
    return c.json(detail(message));
  });

  app.get('/api/v1/message/:id/raw', (c) => {
    const message = store.get(c.req.param('id'));
    if (!message) return plain('Message not found', 404);
    return plain(message.raw.toString('utf8'));
  });

  app.notFound(() => plain('404 page not found', 404));
  return app;
}
