import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { createInbox } from '../inbox/service.js';
import { createMailSender } from '../mail/sender.js';
import { createAuthApp } from './app.js';
import { createAuthPool, type Db } from './db.js';
import type { AuthDeps } from './deps.js';
import { EmailLimiter, RequestLimiter } from './ratelimit.js';
import { loadAuthSettings, type AuthSettings } from './settings.js';
import type { MailSender } from '../mail/sender.js';
import type { Logger } from 'pino';

export function authDeps(settings: AuthSettings, db: Db, mail: MailSender, log: Logger): AuthDeps {
  return {
    settings,
    db,
    mail,
    log,
    emailLimiter: new EmailLimiter(settings.limits.emailSent),
    limits: {
      // GoTrue's anonymous limiter bursts up to the hourly allowance.
      anonymous: new RequestLimiter(settings.limits.anonymous, Math.max(1, settings.limits.anonymous.rate)),
      otp: new RequestLimiter(settings.limits.otp),
      token: new RequestLimiter(settings.limits.tokenRefresh),
      verify: new RequestLimiter(settings.limits.verify),
    },
  };
}

/**
 * The local mail inbox and GoTrue's API at /auth/v1, which mails through the inbox's SMTP port
 * (or through [auth.email.smtp] when that is enabled).
 */
export async function createAuthServices(ctx: ServiceContext): Promise<GatewayService[]> {
  const settings = loadAuthSettings(ctx.config);
  const raw = ctx.config.raw as Record<string, Record<string, unknown> | undefined>;
  // [local_smtp] enabled = false (older CLIs: [inbucket]) runs no inbox, as the CLI runs no Mailpit.
  const inboxEnabled = (raw.local_smtp ?? raw.inbucket)?.enabled !== false;
  const inbox = inboxEnabled ? await createInbox(ctx) : null;
  // [auth] enabled = false: no auth server, as `supabase start` then starts no GoTrue.
  if ((raw.auth as Record<string, unknown> | undefined)?.enabled === false) return inbox ? [inbox] : [];
  const smtp = (raw.auth as Record<string, Record<string, Record<string, unknown>>> | undefined)?.email?.smtp;
  const useOwnSmtp = smtp?.enabled === true && typeof smtp.host === 'string';
  const mail = useOwnSmtp || inbox
    ? createMailSender({
        host: useOwnSmtp ? String(smtp!.host) : '127.0.0.1',
        port: useOwnSmtp ? Number(smtp!.port ?? 587) : inbox!.smtpPort,
        from: settings.mailFrom,
        log: ctx.log,
      })
    : noMailServer();
  const db = createAuthPool(ctx.config, ctx.log);
  const app = createAuthApp(authDeps(settings, db, mail, ctx.log));
  const auth: GatewayService = {
    name: 'auth',
    mount: (gateway) => {
      gateway.route('/auth/v1', app);
    },
    health: async () => void (await db.query('select 1 from auth.users limit 1')),
    close: async () => {
      mail.close();
      await db.end();
    },
  };
  return inbox ? [inbox, auth] : [auth];
}

/** With neither an inbox nor [auth.email.smtp], sending fails, and the endpoint answers GoTrue's 500. */
function noMailServer(): MailSender {
  return {
    send: async () => {
      throw new Error('no SMTP server: [local_smtp] is disabled and [auth.email.smtp] is not enabled');
    },
    close: () => undefined,
  };
}
