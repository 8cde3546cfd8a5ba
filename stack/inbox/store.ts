import { randomInt } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';

/** An address as Mailpit's JSON API spells it (Go's net/mail.Address). */
export interface MailAddress {
  Name: string;
  Address: string;
}

export interface AttachmentSummary {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
}

/** One received message, kept with everything Mailpit's message endpoints report. */
export interface StoredMessage {
  ID: string;
  MessageID: string;
  From: MailAddress | null;
  To: MailAddress[];
  Cc: MailAddress[];
  Bcc: MailAddress[];
  ReplyTo: MailAddress[];
  ReturnPath: string;
  Subject: string;
  Date: string;
  Created: string;
  Tags: string[];
  Text: string;
  HTML: string;
  Size: number;
  Read: boolean;
  Inline: AttachmentSummary[];
  Attachments: AttachmentSummary[];
  raw: Buffer;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Mailpit's database IDs are 22 random base62 characters. */
function newId(): string {
  let id = '';
  for (let i = 0; i < 22; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!field) return [];
  const list = Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value).map((v) => ({ Name: v.name ?? '', Address: v.address ?? '' }));
}

/**
 * Received mail, newest first, kept until deleted (in memory: the inbox lives as long as the
 * stack, like Mailpit's default in-memory database).
 */
export class MessageStore {
  private messages: StoredMessage[] = [];

  add(parsed: ParsedMail, raw: Buffer, envelope: { from?: string; to: string[] }): StoredMessage {
    const now = new Date().toISOString();
    const files = parsed.attachments.map((a, i) => ({
      inline: a.contentDisposition === 'inline' && !!a.contentId,
      summary: {
        PartID: String(i + 2),
        FileName: a.filename ?? a.contentId ?? '',
        ContentType: a.contentType,
        ContentID: (a.contentId ?? '').replace(/^<|>$/g, ''),
        Size: a.size,
      },
    }));
    const to = addresses(parsed.to);
    const message: StoredMessage = {
      ID: newId(),
      MessageID: (parsed.messageId ?? '').replace(/^<|>$/g, ''),
      From: addresses(parsed.from)[0] ?? (envelope.from ? { Name: '', Address: envelope.from } : null),
      // An envelope recipient missing from the headers was a Bcc.
      To: to,
      Cc: addresses(parsed.cc),
      Bcc: envelope.to
        .filter((rcpt) => ![...to, ...addresses(parsed.cc)].some((a) => a.Address.toLowerCase() === rcpt.toLowerCase()))
        .map((rcpt) => ({ Name: '', Address: rcpt })),
      ReplyTo: addresses(parsed.replyTo),
      ReturnPath: envelope.from ?? '',
      Subject: parsed.subject ?? '',
      Date: (parsed.date ?? new Date()).toISOString(),
      Created: now,
      Tags: [],
      Text: parsed.text ?? '',
      HTML: typeof parsed.html === 'string' ? parsed.html : '',
      Size: raw.length,
      Read: false,
      Inline: files.filter((f) => f.inline).map((f) => f.summary),
      Attachments: files.filter((f) => !f.inline).map((f) => f.summary),
      raw,
    };
    this.messages.unshift(message);
    return message;
  }

  list(): StoredMessage[] {
    return this.messages;
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.find((m) => m.ID === id);
  }

  /** Deletes the given IDs, or everything when none are given; returns how many went. */
  delete(ids?: string[]): number {
    const before = this.messages.length;
    if (!ids || ids.length === 0) this.messages = [];
    else {
      const gone = new Set(ids);
      this.messages = this.messages.filter((m) => !gone.has(m.ID));
    }
    return before - this.messages.length;
  }

  stats(): { total: number; unread: number } {
    return { total: this.messages.length, unread: this.messages.filter((m) => !m.Read).length };
  }
}
