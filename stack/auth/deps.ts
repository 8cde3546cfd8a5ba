import type { Logger } from 'pino';
import type { Db } from './db.js';
import type { MailerDeps } from './mailer.js';
import type { RequestLimiter } from './ratelimit.js';

/** What every /auth/v1 handler works with. */
export interface AuthDeps extends MailerDeps {
  db: Db;
  log: Logger;
  limits: { anonymous: RequestLimiter; otp: RequestLimiter; token: RequestLimiter; verify: RequestLimiter };
}
