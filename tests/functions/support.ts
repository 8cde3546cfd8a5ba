import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { stack } from '../support/env.js';
import { clientWith } from '../storage/support.js';

export interface SignedUpUser {
  id: string;
  email: string;
  password: string;
  client: SupabaseClient;
  accessToken: string;
}

/** A user signed up and signed in through /auth/v1 with supabase-js. */
export async function signUp(label = 'user', password = `pw-${randomUUID()}`): Promise<SignedUpUser> {
  const client = clientWith(stack().anonKey);
  const email = `${label}-${randomUUID().slice(0, 8)}@functions.test`;
  const { data, error } = await client.auth.signUp({ email, password });
  if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message ?? 'no session'}`);
  return { id: data.user.id, email, password, client, accessToken: data.session.access_token };
}

export function png(size = 0): Uint8Array {
  const base = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');
  return new Uint8Array(size > base.length ? Buffer.concat([base, Buffer.alloc(size - base.length)]) : base);
}

/** The start of an MP4 (an ISO-BMFF ftyp box, mp42 brand) followed by padding. */
export function mp4(size = 4096): Uint8Array {
  const ftyp = Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32, 0, 0, 0, 0, 0x6d, 0x70, 0x34, 0x32, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65]);
  return new Uint8Array(Buffer.concat([ftyp, Buffer.alloc(Math.max(0, size - ftyp.length))]));
}

export function form(fields: Record<string, string | Blob>, file?: { bytes: Uint8Array; name: string; type: string }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type }));
  return f;
}

interface MailSummary {
  ID: string;
}

export interface Mail {
  ID: string;
  Subject: string;
  Text: string;
  HTML: string;
  To: Array<{ Address: string }>;
}

/** Mails to `to` in the local inbox (Mailpit's API), waiting up to 10 s for `count` of them. */
export async function mailsTo(to: string, count = 1, waitMs = 10_000): Promise<Mail[]> {
  const { inboxUrl } = stack();
  const deadline = Date.now() + waitMs;
  for (;;) {
    const res = await fetch(`${inboxUrl}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`);
    const { messages } = (await res.json()) as { messages: MailSummary[] };
    if (messages.length >= count || Date.now() > deadline) {
      return Promise.all(messages.map(async (m) => (await (await fetch(`${inboxUrl}/api/v1/message/${m.ID}`)).json()) as Mail));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
