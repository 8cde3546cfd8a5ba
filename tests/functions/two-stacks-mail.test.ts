import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import getPort from 'get-port';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log } from '../../stack/log.js';
import { startStack, type RunningStack } from '../../stack/stack.js';

// Two stacks of their own, side by side, neither naming an SMTP port: the inbox takes 54325 when
// free and another port otherwise, so at most one of them listens on the default. Each stack's
// functions must mail to the port its own inbox took.

const stacks: Array<{ stack: RunningStack; dataDir: string }> = [];
const savedSmtpEnv = process.env.AGORA_SMTP_PORT;

async function start(): Promise<RunningStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agora-mail-'));
  chmodSync(dataDir, 0o755);
  const stack = await startStack({ dataDir, apiPort: await getPort(), dbPort: await getPort(), inboxPort: await getPort(), seed: false });
  stacks.push({ stack, dataDir });
  return stack;
}

interface Summary { ID: string; To: Array<{ Address: string }> }

async function inboxFor(stack: RunningStack, to: string): Promise<Summary[]> {
  const res = await fetch(`${stack.urls.inbox}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`);
  return ((await res.json()) as { messages: Summary[] }).messages;
}

async function waitForMail(stack: RunningStack, to: string, waitMs = 15_000): Promise<Summary[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = await inboxFor(stack, to);
    if (found.length || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Signs a user up on `stack` and asks its password-reset function for a link. */
async function requestReset(stack: RunningStack): Promise<string> {
  const email = `two-stacks-${randomUUID().slice(0, 8)}@functions.test`;
  const client = createClient(stack.urls.api, stack.config.anonKey, { auth: { persistSession: false, autoRefreshToken: false }, realtime: { transport: ws as never } });
  const { error } = await client.auth.signUp({ email, password: 'a-password-1' });
  expect(error).toBeNull();
  const { error: invokeError } = await client.functions.invoke('password-reset', { body: { action: 'request', email } });
  expect(invokeError).toBeNull();
  return email;
}

beforeAll(async () => {
  delete process.env.AGORA_SMTP_PORT;
  if (!process.env.AGORA_LOG_LEVEL) log.level = 'error';
  await start();
  await start();
}, 240_000);

afterAll(async () => {
  if (savedSmtpEnv !== undefined) process.env.AGORA_SMTP_PORT = savedSmtpEnv;
  for (const { stack, dataDir } of stacks) {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('two stacks side by side', () => {
  it('each delivers its password-reset mail to its own inbox, never to the other one', async () => {
    const [a, b] = stacks.map((s) => s.stack);
    const toA = await requestReset(a);
    const toB = await requestReset(b);
    expect((await waitForMail(a, toA)).length).toBe(1);
    expect((await waitForMail(b, toB)).length).toBe(1);
    // the reset link holds a live token: it must not show up in the other stack's inbox
    expect(await inboxFor(b, toA)).toEqual([]);
    expect(await inboxFor(a, toB)).toEqual([]);
  }, 240_000);
});
