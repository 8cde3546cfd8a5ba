// Shared helpers for the /auth/v1 suites: supabase-js clients against the test stack, unique
// addresses, the inbox's Mailpit API, and an auth app with other settings on the same database.
import { randomBytes } from 'node:crypto';
import getPort from 'get-port';
import { Hono } from 'hono';
import { pino } from 'pino';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { loadConfig } from '../../stack/config/load.js';
import { createAuthApp } from '../../stack/auth/app.js';
import { createAuthPool } from '../../stack/auth/db.js';
import { authDeps } from '../../stack/auth/service.js';
import { loadAuthSettings, type AuthSettings } from '../../stack/auth/settings.js';
import { createInbox, type Inbox } from '../../stack/inbox/service.js';
import { createMailSender } from '../../stack/mail/sender.js';
import { stack } from '../support/env.js';

export const silent = pino({ level: 'silent' });

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

/** A client address of its own, so per-IP rate limits of one suite never touch another's. */
export function uniqueIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2] || 1}`;
}

// Node 20 has no global WebSocket; supabase-js builds its realtime client eagerly.
const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: ws as never },
};

export function anonClient(fetchImpl?: typeof fetch): SupabaseClient {
  const info = stack();
  return createClient(info.apiUrl, info.anonKey, { ...clientOptions, ...(fetchImpl ? { global: { fetch: fetchImpl } } : {}) });
}

export function adminClient(): SupabaseClient {
  const info = stack();
  return createClient(info.apiUrl, info.serviceRoleKey, clientOptions);
}

export async function authFetch(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const info = stack();
  const headers = new Headers(init.headers);
  if (!headers.has('apikey')) headers.set('apikey', info.anonKey);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${info.apiUrl}/auth/v1${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body, redirect: 'manual' });
}

export interface MailSummary {
  ID: string;
  Subject: string;
  To: { Name: string; Address: string }[];
  Created: string;
}

export interface MailDetail extends MailSummary {
  HTML: string;
  Text: string;
  From: { Name: string; Address: string };
}

/** Polls the inbox (Mailpit's search API) until a message to `to` arrives. */
export async function waitForMail(inboxUrl: string, to: string, count = 1): Promise<MailDetail[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${inboxUrl}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`);
    const body = (await res.json()) as { messages: MailSummary[] };
    if (body.messages.length >= count) {
      return Promise.all(
        body.messages.reverse().map(async (m) => (await (await fetch(`${inboxUrl}/api/v1/message/${m.ID}`)).json()) as MailDetail),
      );
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first /verify link in a mail. */
export function verifyLink(mail: MailDetail): string {
  const m = /href="([^"]*\/verify\?[^"]*)"/.exec(mail.HTML);
  if (!m) throw new Error(`no verify link in: ${mail.HTML}`);
  return m[1].replace(/&amp;/g, '&');
}

export function otpCode(mail: MailDetail): string {
  const m = /enter the code: (\d+)/.exec(mail.HTML);
  if (!m) throw new Error(`no code in: ${mail.HTML}`);
  return m[1];
}

/** The URL fragment of a redirect, as key/value pairs. */
export function fragment(location: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(location.split('#')[1] ?? ''));
}

export interface CustomAuth {
  client: SupabaseClient;
  fetch: typeof fetch;
  inbox: Inbox;
  inboxUrl: string;
  settings: AuthSettings;
  close: () => Promise<void>;
}

/**
 * The real auth app and a real inbox with some settings changed (confirmations on, no reuse
 * interval, ...), on the test stack's database; supabase-js reaches it through its fetch option.
 */
export async function customAuth(overrides: Partial<AuthSettings>): Promise<CustomAuth> {
  const info = stack();
  const config = loadConfig({
    dbPort: info.dbPort,
    apiPort: Number(new URL(info.apiUrl).port),
    inboxPort: await getPort(),
    smtpPort: await getPort(),
    dataDir: info.dataDir,
  });
  const settings = { ...loadAuthSettings(config), ...overrides };
  const inbox = await createInbox({ config, log: silent });
  const mail = createMailSender({ host: '127.0.0.1', port: inbox.smtpPort, from: settings.mailFrom, log: silent });
  const db = createAuthPool(config, silent);
  const gateway = new Hono();
  gateway.route('/auth/v1', createAuthApp(authDeps(settings, db, mail, silent)));
  const fetchImpl = ((input: RequestInfo | URL, init?: RequestInit) => gateway.request(input instanceof Request ? input : String(input), init)) as typeof fetch;
  return {
    client: createClient(info.apiUrl, info.anonKey, { ...clientOptions, global: { fetch: fetchImpl } }),
    fetch: fetchImpl,
    inbox,
    inboxUrl: `http://127.0.0.1:${inbox.httpPort}`,
    settings,
    close: async () => {
      mail.close();
      await db.end();
      await inbox.close?.();
    },
  };
}
