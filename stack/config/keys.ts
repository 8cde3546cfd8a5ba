import { createHmac } from 'node:crypto';

// The Supabase CLI's well-known local-development secret (`supabase start` prints it).
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

// The CLI's fixed local API keys (supabase/cli pkg/config/apikeys.go): the same on every machine,
// printed by `supabase start` as the publishable and secret keys.
export const LOCAL_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const LOCAL_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

// The CLI's demo keys are these claims signed with the project's JWT secret; with the local
// secret this yields byte-for-byte the anon and service_role keys `supabase start` prints.
const DEMO_EXP = 1983812996;

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** HS256 JWT with a fixed header and key order, so the output is stable for a given secret. */
export function demoKey(role: 'anon' | 'service_role', secret: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iss: 'supabase-demo', role, exp: DEMO_EXP }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
