import type { Hono } from 'hono';
import { asCaller, caller, type StorageDeps } from '../context.js';
import { named, OPERATIONS } from '../operations.js';
import { readJson } from './body.js';
import { optionalBoolean, optionalInteger, optionalString, schemaError, sortBy } from './validate.js';

/** Where the next page starts: Storage's continuation token, base64 of `l:<after>\no:<order>\nc:<column>\na:<column value>`. */
interface Cursor {
  startAfter: string;
  sortOrder?: string;
  sortColumn?: string;
  sortColumnAfter?: string;
}

const CURSOR_PARTS: Record<string, keyof Cursor> = { l: 'startAfter', o: 'sortOrder', c: 'sortColumn', a: 'sortColumnAfter' };

function encodeCursor(cursor: Cursor): string {
  const lines = Object.entries(CURSOR_PARTS).flatMap(([k, v]) => (cursor[v] ? [`${k}:${cursor[v]}`] : []));
  return Buffer.from(lines.join('\n')).toString('base64');
}

const SORT_COLUMNS = ['name', 'updated_at', 'created_at'] as const;

/** The client hands the token back: every part is checked, the sort column and order against their only values. */
function decodeCursor(token: string): Cursor {
  const out: Cursor = { startAfter: '', sortOrder: 'asc' };
  for (const part of Buffer.from(token, 'base64').toString().split('\n')) {
    const m = /^(\S):(.*)/.exec(part);
    if (!m || !(m[1] in CURSOR_PARTS) || m[2].includes('\u0000')) throw schemaError('Invalid continuation token');
    out[CURSOR_PARTS[m[1]]] = m[2];
  }
  const validOrder = out.sortOrder === 'asc' || out.sortOrder === 'desc';
  const validColumn = out.sortColumn === undefined || (SORT_COLUMNS as readonly string[]).includes(out.sortColumn);
  const validAfter = out.sortColumnAfter === undefined || !Number.isNaN(Date.parse(out.sortColumnAfter));
  if (!validOrder || !validColumn || !validAfter) throw schemaError('Invalid continuation token');
  return out;
}

interface Entry {
  id: string | null;
  name: string;
  metadata: unknown;
  updated_at: Date | null;
  created_at: Date | null;
  last_accessed_at: Date | null;
  /** the sort column's value to the microsecond, for the next page's cursor (not sent to the client) */
  sort_after?: string | null;
}

const MAX_KEYS = 1000;

/**
 * POST /object/list-v2/:bucket (storage-js listV2), as Storage's listObjectsV2: whole keys under
 * `prefix` in key order (or by created_at / updated_at), `limit` (at most 1000) per page with an
 * opaque `cursor` (and the last name as `nextCursorKey`); `with_delimiter` folds everything below
 * the next '/' into one folder entry, sorted with the objects.
 * Read as the caller, so RLS decides what is listed.
 */
export function listV2Routes(api: Hono, deps: StorageDeps): void {
  api.post('/object/list-v2/:bucket', named(OPERATIONS.listObjectsV2, async (c) => {
    const who = await caller(deps, c);
    const body = await readJson(c);
    const prefix = optionalString(body, 'prefix') ?? '';
    const limit = Math.min(optionalInteger(body, 'limit', 1) ?? MAX_KEYS, MAX_KEYS);
    const token = optionalString(body, 'cursor');
    const delimited = optionalBoolean(body, 'with_delimiter') === true;
    if (prefix.includes('\u0000')) throw schemaError('body/prefix must not contain NUL');
    const sort = sortBy(body, SORT_COLUMNS);
    const cursor = token ? decodeCursor(token) : undefined;
    const order = (cursor?.sortOrder ?? sort.order) === 'desc' ? 'desc' : 'asc';
    const requested = (cursor?.sortColumn ?? sort.column) as 'name' | 'updated_at' | 'created_at' | undefined;
    const column = requested && requested !== 'name' ? requested : null;
    const cmp = order === 'desc' ? '<' : '>';
    // Postgres's left() and substr() count characters, not UTF-16 units
    const params: unknown[] = [c.req.param('bucket')!, prefix, [...prefix].length, limit + 1, cursor?.startAfter || null];
    if (column) params.push(cursor?.sortColumnAfter || null);
    const after = column
      ? `and ($6::timestamptz is null or (${column}, name collate "C") ${cmp} ($6::timestamptz, $5::text collate "C"))`
      : `and ($5::text is null or name collate "C" ${cmp} $5::text collate "C")`;
    // A delimited listing folds every key below the next '/' into its folder (up to and with
    // that '/'); a folder is dated by its oldest object, as Storage's search_v2 dates it.
    const entries = delimited
      ? `with listed as (
           select case when strpos(substr(name, $3::int + 1), '/') > 0 then left(name, $3::int + strpos(substr(name, $3::int + 1), '/')) end as folder,
                  id, name, metadata, updated_at, created_at, last_accessed_at
             from storage.objects
            where bucket_id = $1 and left(name, $3::int) = $2
         ), entries as (
           select folder as name, null::uuid as id, null::jsonb as metadata, min(created_at) as updated_at, min(created_at) as created_at, null::timestamptz as last_accessed_at
             from listed where folder is not null group by folder
           union all
           select name, id, metadata, updated_at, created_at, last_accessed_at from listed where folder is null
         )`
      : `with entries as (
           select name, id, metadata, updated_at, created_at, last_accessed_at
             from storage.objects
            where bucket_id = $1 and left(name, $3::int) = $2
         )`;
    const sql = `
      ${entries}
      select id, name, metadata, updated_at, created_at, last_accessed_at${column
        ? `, to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_after`
        : ''}
        from entries
       where true ${after}
       order by ${column ? `${column} ${order}, ` : ''}name collate "C" ${order}
       limit $4`;
    const rows = await asCaller(deps, who, c, async (client) => (await client.query<Entry>(sql, params)).rows, { readOnly: true });
    const hasNext = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = hasNext
      ? encodeCursor({
          startAfter: last.name,
          sortOrder: cursor?.sortOrder ?? sort.order,
          sortColumn: cursor?.sortColumn ?? sort.column,
          // to the microsecond, as Postgres keeps it (a JS Date would round to the millisecond and repeat or skip rows)
          sortColumnAfter: column ? last.sort_after ?? undefined : undefined,
        })
      : undefined;
    // Storage's delimited entries also carry `key`: the name's segment at the prefix's depth.
    const depth = prefix ? prefix.split('/').length : 1;
    // A folder is dated only in a listing sorted by date (search_v2 leaves it undated otherwise).
    const dated = (r: Entry, date: Date | null) => (r.id === null && !column ? null : date);
    const shape = ({ sort_after: _, ...r }: Entry) =>
      delimited
        ? { key: r.name.replace(/\/$/, '').split('/')[depth - 1] ?? '', name: r.name, id: r.id, updated_at: dated(r, r.updated_at), created_at: dated(r, r.created_at), last_accessed_at: r.last_accessed_at, metadata: r.metadata }
        : { id: r.id, name: r.name, metadata: r.metadata, updated_at: r.updated_at, created_at: r.created_at, last_accessed_at: r.last_accessed_at };
    return c.json({
      hasNext,
      nextCursor,
      nextCursorKey: hasNext ? last.name : undefined,
      folders: page.filter((r) => r.id === null).map(shape),
      objects: page.filter((r) => r.id !== null).map(shape),
    });
  }));
}
