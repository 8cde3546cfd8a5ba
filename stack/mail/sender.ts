import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  /** What the mail is for (confirmation, recovery, ...), for the log line. */
  kind: string;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/**
 * Sends mail over real SMTP (to the local inbox, or whatever host/port it is given), logging one
 * structured line per message sent.
 */
export function createMailSender(opts: { host: string; port: number; from: string; log: Logger }): MailSender {
  // nodemailer is loaded on the first send, not on every start of the stack.
  let transport: Promise<Transporter> | undefined;
  const connect = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({ host: opts.host, port: opts.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 2 }),
    ));
  return {
    async send(mail) {
      const started = Date.now();
      const info = await (await connect()).sendMail({ from: opts.from, to: mail.to, subject: mail.subject, html: mail.html });
      opts.log.info(
        { event: 'mail_sent', kind: mail.kind, to: mail.to, subject: mail.subject, message_id: info.messageId, ms: Date.now() - started },
        'mail sent',
      );
      return { messageId: info.messageId };
    },
    close() {
      void transport?.then((t) => t.close());
    },
  };
}
