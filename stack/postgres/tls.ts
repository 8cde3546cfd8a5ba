import { chownSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OsUser } from './os-user.js';

/**
 * A self-signed certificate for the cluster, so TLS-first clients (the Supabase CLI refuses a
 * server without SSL unless told sslmode=disable) connect as they do to Supabase's database.
 */
export async function ensureServerCertificate(pgdata: string, user: OsUser | null): Promise<void> {
  const crt = path.join(pgdata, 'server.crt');
  const key = path.join(pgdata, 'server.key');
  if (existsSync(crt) && existsSync(key)) return;
  // Loaded only when a certificate is missing: it is a heavy import for every other start.
  const { default: selfsigned } = await import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', notAfterDate: new Date(Date.now() + 10 * 365 * 86_400_000) });
  writeFileSync(crt, pems.cert, { mode: 0o644 });
  writeFileSync(key, pems.private, { mode: 0o600 });
  if (user) {
    chownSync(crt, user.uid, user.gid);
    chownSync(key, user.uid, user.gid);
  }
}
