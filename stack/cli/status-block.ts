import type { StackConfig } from '../config/load.js';
import { apiUrl, dbUrl, inboxUrl } from '../config/load.js';

/** The connection facts, in the order and with the labels `supabase status` uses. */
export function statusEntries(config: StackConfig): Array<[label: string, envKey: string, value: string]> {
  return [
    ['API URL', 'API_URL', apiUrl(config)],
    ['REST URL', 'REST_URL', `${apiUrl(config)}/rest/v1`],
    ['DB URL', 'DB_URL', dbUrl(config)],
    ['Inbox URL', 'INBOX_URL', inboxUrl(config)],
    ['JWT secret', 'JWT_SECRET', config.jwtSecret],
    ['anon key', 'ANON_KEY', config.anonKey],
    ['service_role key', 'SERVICE_ROLE_KEY', config.serviceRoleKey],
    // the new API keys, as `supabase status -o env` names them (supabase/cli internal/status/status.go)
    ['Publishable key', 'PUBLISHABLE_KEY', config.publishableKey],
    ['Secret key', 'SECRET_KEY', config.secretKey],
  ];
}

export function formatStatusBlock(config: StackConfig): string {
  const entries = statusEntries(config);
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, , value]) => `${label.padStart(width)}: ${value}`).join('\n');
}

export function formatStatusEnv(config: StackConfig): string {
  return statusEntries(config).map(([, key, value]) => `${key}=${value}`).join('\n');
}
