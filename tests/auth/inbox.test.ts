import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { createMailSender } from '../../stack/mail/sender.js';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { anonClient, uniqueEmail } from './support.js';

async function send(to: string, subject: string) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stack().smtpPort, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ from: '"Sender" <sender@example.com>', to, cc: 'copy@example.com', subject, text: 'Hello there', html: '<p>Hello <b>there</b></p>' });
  } finally {
    transport.close();
  }
}

async function find(to: string) {
  const res = await fetch(`${stack().inboxUrl}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`);
  return (await res.json()) as { messages_count: number; messages: Array<Record<string, unknown>> };
}

describe('local inbox (Mailpit API)', () => {
  it('mail sent over SMTP is listed with Mailpit field names and readable in full', async () => {
    const to = uniqueEmail('inbox');
    await send(to, 'Inbox check');
    const list = (await (await fetch(`${stack().inboxUrl}/api/v1/messages?limit=500`)).json()) as Record<string, unknown> & { messages: Array<Record<string, unknown>> };
    expect(Object.keys(list).sort()).toEqual(['count', 'messages', 'messages_count', 'start', 'tags', 'total', 'unread']);
    const summary = list.messages.find((m) => (m.To as Array<{ Address: string }>)[0].Address === to)!;
    expect(summary).toMatchObject({
      Read: false,
      From: { Name: 'Sender', Address: 'sender@example.com' },
      To: [{ Name: '', Address: to }],
      Cc: [{ Name: '', Address: 'copy@example.com' }],
      Subject: 'Inbox check',
      Attachments: 0,
      Snippet: 'Hello there',
    });
    expect(summary.ID).toMatch(/^[A-Za-z0-9]{22}$/);

    const full = await (await fetch(`${stack().inboxUrl}/api/v1/message/${summary.ID}`)).json();
    expect(full).toMatchObject({ ID: summary.ID, Subject: 'Inbox check', Text: 'Hello there', HTML: '<p>Hello <b>there</b></p>' });
    expect((await find(to)).messages[0].Read).toBe(true);
  });

  it('DELETE /api/v1/messages with IDs deletes just those', async () => {
    const a = uniqueEmail('del-a');
    const b = uniqueEmail('del-b');
    await send(a, 'A');
    await send(b, 'B');
    const id = (await find(a)).messages[0].ID as string;
    const res = await fetch(`${stack().inboxUrl}/api/v1/messages`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ IDs: [id] }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect((await find(a)).messages_count).toBe(0);
    expect((await find(b)).messages_count).toBe(1);
    expect((await fetch(`${stack().inboxUrl}/api/v1/message/${id}`)).status).toBe(404);
  });

  it('marks read and unread, reads headers, and deletes by search', async () => {
    const to = uniqueEmail('marks');
    await send(to, 'Marks');
    const id = (await find(to)).messages[0].ID as string;
    const put = (Read: boolean) =>
      fetch(`${stack().inboxUrl}/api/v1/messages`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ IDs: [id], Read }) });
    expect((await put(true)).status).toBe(200);
    expect((await find(to)).messages[0].Read).toBe(true);
    await put(false);
    expect((await find(to)).messages[0].Read).toBe(false);
    const headers = await (await fetch(`${stack().inboxUrl}/api/v1/message/${id}/headers`)).json();
    expect(headers.Subject).toEqual(['Marks']);
    expect(headers.To).toEqual([to]);
    const del = await fetch(`${stack().inboxUrl}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`, { method: 'DELETE' });
    expect(await del.text()).toBe('ok');
    expect((await find(to)).messages_count).toBe(0);
  });

  it('serves a page to read mail', async () => {
    const res = await fetch(`${stack().inboxUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Agora inbox');
  });

  it('is part of the stack health', async () => {
    const health = await (await fetch(`${stack().apiUrl}/health`)).json();
    expect(health.components.inbox.status).toBe('up');
    expect(health.components.auth.status).toBe('up');
  });
});

describe('the mail sender', () => {
  it('sends over SMTP to the inbox and logs one structured line per mail', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const sender = createMailSender({ host: '127.0.0.1', port: stack().smtpPort, from: 'admin@email.com', log: pino({ level: 'info' }, sink) });
    const to = uniqueEmail('logged');
    try {
      await sender.send({ kind: 'recovery', to, subject: 'Logged', html: '<p>hi</p>' });
    } finally {
      sender.close();
    }
    expect((await find(to)).messages_count).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'mail_sent', kind: 'recovery', to, subject: 'Logged', message_id: expect.any(String), ms: expect.any(Number) });
  });
});

describe('GoTrue settings and health', () => {
  it('GET /auth/v1/settings reflects config.toml', async () => {
    const res = await fetch(`${stack().apiUrl}/auth/v1/settings`, { headers: { apikey: stack().anonKey } });
    expect(await res.json()).toMatchObject({
      disable_signup: false,
      mailer_autoconfirm: true,
      external: { email: true, phone: false, anonymous_users: false, apple: false, github: false },
    });
  });

  it('publishes no JWKS keys (tokens are HS256), and supabase-js getClaims() still verifies through /user', async () => {
    const res = await fetch(`${stack().apiUrl}/auth/v1/.well-known/jwks.json`);
    expect(await res.json()).toEqual({ keys: [] });
    const client = anonClient();
    const { data } = await client.auth.signUp({ email: uniqueEmail('claims'), password: 'claims-pass-1' });
    await client.auth.setSession(data.session!);
    const claims = await client.auth.getClaims();
    expect(claims.error).toBeNull();
    expect(claims.data?.claims.sub).toBe(data.user!.id);
  });

  it('GET /auth/v1/health names GoTrue', async () => {
    const res = await fetch(`${stack().apiUrl}/auth/v1/health`);
    expect(await res.json()).toMatchObject({ name: 'GoTrue' });
  });
});
