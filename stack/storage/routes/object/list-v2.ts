import type { OpenAPIV3 } from 'openapi-types';
import { arr, bool, int, json, jsonBody, obj, ref, security, str } from '../../../docs/schema-helpers.js';
import { asCaller, callerOf, resolveCaller, type StorageApi, type StorageDeps } from '../../context.js';
import { listObjectsV2, type ListEntry } from '../../database.js';
import { named, OPERATIONS } from '../../operations.js';
import { readJson } from '../body.js';
import { bucketParam, errors, tags } from '../openapi.js';
import { optionalBoolean, optionalInteger, optionalString, schemaError, sortBy } from '../validate.js';

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

const MAX_KEYS = 1000;

/**
 * POST /object/list-v2/:bucket (storage-js listV2), as Storage's listObjectsV2: whole keys under
 * `prefix` in key order (or by created_at / updated_at), `limit` (at most 1000) per page with an
 * opaque `cursor` (and the last name as `nextCursorKey`); `with_delimiter` folds everything below
 * the next '/' into one folder entry, sorted with the objects.
 * Read as the caller, so RLS decides what is listed.
 */
export function mount(api: StorageApi, deps: StorageDeps): void {
  api.post('/object/list-v2/:bucket', resolveCaller(deps), named(OPERATIONS.listObjectsV2, async (c) => {
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
    const rows = await asCaller(deps, callerOf(c), c, (client) => listObjectsV2(client, {
      bucketId: c.req.param('bucket')!,
      prefix,
      take: limit + 1,
      delimited,
      order,
      column,
      startAfter: cursor?.startAfter || null,
      sortColumnAfter: column ? cursor?.sortColumnAfter || null : null,
    }), { readOnly: true });
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
    const dated = (r: ListEntry, date: Date | null) => (r.id === null && !column ? null : date);
    const shape = ({ sort_after: _, ...r }: ListEntry) =>
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

export const paths: OpenAPIV3.PathsObject = {
  '/storage/v1/object/list-v2/{bucket}': {
    post: {
      tags, operationId: 'storage_list_v2', summary: 'List whole keys under a prefix, a page at a time', security: security.user, parameters: [bucketParam],
      requestBody: jsonBody(obj({ prefix: str(), limit: int('at most 1000'), cursor: str('the previous page\'s nextCursor'), with_delimiter: bool('fold keys below the next `/` into folders'), sortBy: obj({ column: str(undefined, { enum: ['name', 'updated_at', 'created_at'] }), order: str(undefined, { enum: ['asc', 'desc'] }) }) })),
      responses: { 200: json(obj({ hasNext: bool(), nextCursor: str(), nextCursorKey: str(), folders: arr(ref('FileObject')), objects: arr(ref('FileObject')) })), ...errors },
    },
  },
};
