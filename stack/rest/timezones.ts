import type pg from 'pg';
import { invalidPreferences } from './errors.js';
import type { ApiRequest } from './parse.js';

/**
 * `Prefer: timezone=...` checked against Postgres's time zones: one it does not know is ignored,
 * as PostgREST does (refused with handling=strict). pg_timezone_names is read once, when a
 * request first names a time zone (reading it costs a backend a few MB, so not at start).
 */
export function timezoneCheck(pool: pg.Pool): (req: ApiRequest) => Promise<void> {
  let zones: Promise<Set<string>> | null = null;
  const known = () => {
    zones ??= pool.query<{ name: string }>('select name from pg_timezone_names')
      .then((r) => new Set(r.rows.map((row) => row.name)))
      .catch((err) => {
        zones = null;
        throw err;
      });
    return zones;
  };
  return async (req) => {
    if (!req.prefer.timezone || (await known()).has(req.prefer.timezone)) return;
    if (req.prefer.handling === 'strict') throw invalidPreferences([`timezone=${req.prefer.timezone}`]);
    delete req.prefer.timezone;
  };
}
