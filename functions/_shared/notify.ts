import nodemailer from 'nodemailer';

export interface Notification {
  /** What the mail is for (password_reset, ...), for the log line. */
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Notifier {
  send(n: Notification): Promise<void>;
}

/**
 * Email over real SMTP (the local inbox when run by the stack: SMTP_HOST / SMTP_PORT), with one
 * structured log line per message. The address is logged, the content (which holds secrets) not.
 */
export function smtpNotifier(env: { host: string; port: number; from: string }): Notifier {
  const transport = nodemailer.createTransport({ host: env.host, port: env.port, secure: false, ignoreTLS: true });
  return {
    async send(n) {
      const started = Date.now();
      const info = await transport.sendMail({ from: env.from, to: n.to, subject: n.subject, text: n.text, html: n.html });
      console.log(JSON.stringify({ level: 'info', event: 'notification_sent', channel: 'email', kind: n.kind, to: n.to, message_id: info.messageId, ms: Date.now() - started }));
    },
  };
}

export function notifierFromEnv(): Notifier {
  return smtpNotifier({
    host: Deno.env.get('SMTP_HOST') ?? '127.0.0.1',
    port: Number(Deno.env.get('SMTP_PORT') ?? 54325),
    from: Deno.env.get('MAIL_FROM') ?? 'Agora <no-reply@agora.local>',
  });
}
