import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a /metrics request carries the service key, as Supabase's privileged metrics endpoint
 * asks for it: HTTP Basic `service_role:<service key>`; the key as `apikey` or a Bearer token is
 * taken too, as every other privileged route here takes it.
 */
export function carriesServiceKey(headers: Headers, serviceKey: string): boolean {
  const authorization = headers.get('authorization')?.trim() ?? '';
  const candidates: string[] = [];
  const basic = /^basic\s+(\S+)$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0 && decoded.slice(0, colon) === 'service_role') candidates.push(decoded.slice(colon + 1));
  }
  const bearer = /^bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) candidates.push(bearer[1]);
  const apikey = headers.get('apikey');
  if (apikey) candidates.push(apikey.trim());
  return candidates.some((c) => sameSecret(c, serviceKey));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
