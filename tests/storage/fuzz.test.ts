import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stack } from '../support/env.js';
import { seeded } from '../support/fuzz.js';
import { bytes, createUser, png, serviceClient, withDb, type TestUser } from './support.js';

// Hostile input: whatever arrives, /storage/v1 answers 2xx/3xx/4xx with Storage's JSON error body,
// keeps serving, and a rejected write leaves nothing behind (no row, no bucket, no stray file).

const SEED = Number(process.env.STORAGE_FUZZ_SEED ?? 20261126);
const ROUNDS = Number(process.env.STORAGE_FUZZ_ROUNDS ?? 500);
const { rand, pick, maybe } = seeded(SEED);

// This run's own buckets: the fuzz may empty or delete them, never anyone else's.
const RUN = randomUUID().slice(0, 6);
const PUBLIC = `fz-pub-${RUN}`;
const PRIVATE = `fz-priv-${RUN}`;
const LIMITED = `fz-lim-${RUN}`;
const OWN_BUCKETS = [PUBLIC, PRIVATE, LIMITED];
const KEYS = ['a.txt', 'dir/b.png', 'dir/sub/c.bin', 'sp ace (1).txt'];

/** Path segments as sent on the wire (already percent-encoded where they are valid). */
const BUCKET_SEGMENTS = [PUBLIC, PUBLIC, PUBLIC, PUBLIC, PRIVATE, PRIVATE, PRIVATE, PRIVATE, LIMITED, LIMITED, 'nope', '%00', '%E0%A4%A', '%ZZ', '%C3%A9%F0%9F%98%80', 'a'.repeat(300), '..', '.', '%20lead', '%0D%0A', '%01', "x'y", 'a;b', '%2F', 'MARK'];
const KEY_SEGMENTS = ['a.txt', 'a.txt', 'dir/b.png', 'dir/b.png', 'dir/sub/c.bin', encodeURIComponent('sp ace (1).txt'), 'MARK.txt', 'MARK.txt', 'MARK.txt', 'dir/MARK.bin', 'dir/MARK.bin', 'nope.txt', '%00', 'a%00b', '%E0%A4%A', '%ZZ', '%FF%FE', '..', 'a/../b', './x', 'dir/', '//x', 'k'.repeat(1100), `${'d/'.repeat(300)}x`, '%0D%0AX-Injected:%201', '%7F', '%F0%9F%98%80', 'a%2F..%2Fb', '~tilde', 'q?x=1', 'hash%23', '%25', 'MARK'];

/** Values of the wrong type (or the right type, out of range or malformed) for any JSON field. */
const HOSTILE: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', ' ', 'x', '\u0000', 'a\u0000b', '\r\n', '\u0001\u007f', 'é😀', '\ud800', 'x'.repeat(5000), '../etc', '/leading', [], [1], ['a', null], [[]], {}, { a: 1 }, { column: 'name' }, '1e309', 'NaN', '-5', '20GB', '9'.repeat(40), 'MARK'];

const tokens = {
  async signed(claims: Record<string, unknown>, expiresIn = 3600, secret = stack().jwtSecret) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now - 10).setExpirationTime(now + expiresIn).sign(new TextEncoder().encode(secret));
  },
  none(claims: Record<string, unknown>) {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  },
};

let user: TestUser;
let authHeaders: Array<Record<string, string>> = [];
let urlTokens: string[] = [];

beforeAll(async () => {
  const admin = serviceClient();
  const made = await Promise.all([
    admin.storage.createBucket(PUBLIC, { public: true }),
    admin.storage.createBucket(PRIVATE, { public: false }),
    admin.storage.createBucket(LIMITED, { public: false, fileSizeLimit: 64, allowedMimeTypes: ['text/plain', 'image/*'] }),
  ]);
  for (const m of made) expect(m.error).toBeNull();
  for (const b of [PUBLIC, PRIVATE]) {
    for (const k of KEYS) expect((await admin.storage.from(b).upload(k, k.endsWith('.png') ? png(100) : bytes(50), { contentType: k.endsWith('.png') ? 'image/png' : 'text/plain' })).error).toBeNull();
  }
  user = await createUser('fuzz');
  const info = stack();
  const service = `Bearer ${info.serviceRoleKey}`;
  const expired = await tokens.signed({ role: 'authenticated', sub: user.id }, -60);
  const wrongSecret = await tokens.signed({ role: 'service_role' }, 3600, 'not-the-secret-but-long-enough-for-hs256');
  const oddRole = await tokens.signed({ role: 'no_such_role', sub: user.id });
  const roleNumber = await tokens.signed({ role: 42, sub: 'not-a-uuid' });
  const noRole = await tokens.signed({ sub: user.id });
  authHeaders = [
    {},
    { apikey: info.anonKey },
    { apikey: info.anonKey, Authorization: service },
    { apikey: info.anonKey, Authorization: service },
    { apikey: info.anonKey, Authorization: service },
    { apikey: info.anonKey, Authorization: `Bearer ${user.token}` },
    { Authorization: `Bearer ${expired}` },
    { Authorization: `Bearer ${wrongSecret}` },
    { Authorization: `Bearer ${tokens.none({ role: 'service_role' })}` },
    { Authorization: `Bearer ${oddRole}` },
    { Authorization: `Bearer ${roleNumber}` },
    { Authorization: `Bearer ${noRole}` },
    { Authorization: 'Bearer' },
    { Authorization: 'Bearer x.y.z' },
    { Authorization: `Bearer ${'a'.repeat(4000)}` },
    { Authorization: 'Basic Zm9vOmJhcg==' },
    { Authorization: 'Bearer \u00e9t\u00e9' },
    { apikey: 'garbage' },
  ];
  urlTokens = [
    '',
    'x',
    'a.b.c',
    tokens.none({ url: `${PUBLIC}/a.txt`, purpose: 'download' }),
    await tokens.signed({ url: `${PRIVATE}/a.txt`, purpose: 'download' }),
    await tokens.signed({ url: `${PRIVATE}/a.txt`, purpose: 'upload' }),
    await tokens.signed({ url: `${PRIVATE}/a.txt`, purpose: 'download' }, -60),
    await tokens.signed({ url: `${PRIVATE}/MARK.txt`, purpose: 'upload', owner: 'not-a-uuid', upsert: 'yes' }),
    await tokens.signed({ url: `${PRIVATE}/MARK.txt`, purpose: 'upload', owner: user.id }),
    await tokens.signed({ url: ['array'], purpose: 'download' }),
    await tokens.signed({ url: `${PRIVATE}/%00`, purpose: 'download' }),
  ];
}, 60_000);

afterAll(async () => {
  // Buckets the fuzz created with marked names, and this run's own.
  await withDb(async (db) => {
    const like = `%fz${RUN}%`; // (the race's bucket too)
    await db.query('delete from storage.objects where bucket_id = any($1) or bucket_id like $2', [OWN_BUCKETS, like]);
    await db.query('delete from storage.buckets where id = any($1) or id like $2', [OWN_BUCKETS, like]);
  });
});

/** A JSON body for an endpoint: each field valid, hostile or missing; sometimes not JSON at all. */
function jsonBody(fields: Record<string, () => unknown>, mark: string): { body: string; type: string } {
  const type = maybe(0.85) ? 'application/json' : pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '', 'multipart/form-data; boundary=x']);
  if (maybe(0.08)) {
    return { body: pick(['', 'null', '[]', '"str"', '42', '{"a":', '[[[[[[[[[[]]]]]]]]]]', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}']), type };
  }
  const out: string[] = [];
  for (const [k, valid] of Object.entries(fields)) {
    if (maybe(0.15)) continue;
    const v = maybe(0.55) ? valid() : pick(HOSTILE);
    out.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    if (maybe(0.05)) out.push(`${JSON.stringify(k)}:${JSON.stringify(pick(HOSTILE))}`); // duplicated field
  }
  if (maybe(0.1)) out.push(`"extra":${JSON.stringify(pick(HOSTILE))}`);
  return { body: `{${out.join(',')}}`.replace(/MARK/g, mark), type };
}

/** An upload body: raw bytes with an odd type, or multipart with odd, missing, extra or broken parts. */
function uploadBody(mark: string): { body: Buffer | string; type?: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (maybe(0.2)) headers['x-upsert'] = pick(['true', 'false', 'TRUE', '1', '']);
  if (maybe(0.15)) headers['x-metadata'] = pick(['e30=', '!!notbase64', Buffer.from('[1,2]').toString('base64'), Buffer.from('{"a":"\u0000"}').toString('base64'), Buffer.from('null').toString('base64'), 'x'.repeat(3000)]);
  if (maybe(0.15)) headers['cache-control'] = pick(['max-age=3600', '', 'no-store', '\u00e9', '-1']);
  if (maybe(0.5)) {
    const type = pick(['text/plain', 'image/png', 'application/octet-stream', 'text/html', 'image/*', '', 'application/json', ';;;', 'text/plain; charset=utf-8', 'a'.repeat(500), 'video/mp4']);
    const body = pick([bytes(10), bytes(0), bytes(65), bytes(200_000), png(30), Buffer.from(mark)]);
    return { body, type: type || undefined, headers };
  }
  const b = pick(['XyZ', '----WebKitFormBoundary7MA4YWxkTrZu0gW', 'a b', '"quoted"', 'x'.repeat(80)]);
  const boundary = b.replace(/"/g, '');
  const part = (name: string, value: string, file?: { filename: string; type?: string }) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file.filename}"` : ''}\r\n${file?.type ? `Content-Type: ${file.type}\r\n` : ''}\r\n${value}\r\n`;
  const parts: string[] = [];
  const fieldsFirst = maybe();
  const fields = () => {
    if (maybe(0.4)) parts.push(part('cacheControl', pick(['3600', '0', '-1', 'abc', '99999999999', '1\r\nX: y', ''])));
    if (maybe(0.3)) parts.push(part('contentType', pick(['text/plain', 'image/png', 'text/plain\r\nX-Evil: 1', '', 'application/x-evil', '\u0000', 'text/ā😀'])));
    if (maybe(0.3)) parts.push(part('metadata', pick(['{"a":1}', '[]', 'null', '{', '"s"', `{"m":"${mark}"}`])));
    if (maybe(0.1)) parts.push(part('', 'unnamed'));
  };
  if (fieldsFirst) fields();
  const files = pick([0, 1, 1, 1, 2]);
  for (let i = 0; i < files; i++) {
    parts.push(part(pick(['', 'file', 'other']), pick([mark, '', 'x'.repeat(100), '\u0000\u0001']), { filename: pick(['f.txt', '', 'a"b', '../../etc/passwd', 'é.png']), type: pick([undefined, 'text/plain', 'image/png', 'text/html', 'bogus', '']) }));
  }
  if (!fieldsFirst) fields();
  let body = parts.join('') + pick([`--${boundary}--\r\n`, `--${boundary}--\r\n`, '', `--${boundary}`, '--wrong--\r\n']);
  if (maybe(0.1)) body = body.slice(0, Math.floor(body.length * rand())); // truncated mid-part
  const type = pick([`multipart/form-data; boundary=${b}`, `multipart/form-data; boundary=${b}`, 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/mixed; boundary=XyZ', `MULTIPART/FORM-DATA; BOUNDARY=${b}`]);
  return { body, type, headers };
}

type Built = { method: string; path: string; query?: string; body?: string | Buffer; type?: string; headers?: Record<string, string>; writes?: { bucket?: string; key?: string } };

/** One request against one endpoint, with hostile parts. */
function buildRequest(mark: string): Built {
  const bucket = pick(BUCKET_SEGMENTS).replace(/MARK/g, mark);
  const key = pick(KEY_SEGMENTS).replace(/MARK/g, mark);
  const validKey = () => pick([...KEYS, `${mark}.txt`, `dir/${mark}.bin`]);
  const validBucket = () => pick([PUBLIC, PRIVATE, LIMITED, 'nope']);
  const kind = Math.floor(rand() * 24);
  switch (kind) {
    case 0: {
      const q = [
        maybe(0.3) && `limit=${encodeURIComponent(String(pick(['1', '0', '-1', 'x', '1.5', '99999999999999999999', ' 2'])))}`,
        maybe(0.3) && `offset=${encodeURIComponent(String(pick(['0', '-1', 'y', '1e3', '99999999999999999999'])))}`,
        maybe(0.3) && `sortColumn=${pick(['name', 'id', 'nope', 'name;drop', ''])}`,
        maybe(0.3) && `sortOrder=${pick(['asc', 'desc', 'sideways', ''])}`,
        maybe(0.3) && `search=${pick(['fz', '%25', '%00', '_', '%E0%A4%A', '\\'])}`,
      ].filter(Boolean);
      return { method: 'GET', path: '/bucket', query: q.join('&') };
    }
    case 1: {
      const name = maybe(0.6) ? `fz${RUN}-${mark}` : pick(HOSTILE);
      const b = jsonBody({ name: () => name, id: () => pick([name, `fz${RUN}-id-${mark}`]), public: () => maybe(), file_size_limit: () => pick([100, '1MB', '50MiB', '100GB', 0, '2.5KB', '1 TB']), allowed_mime_types: () => pick([['image/png'], ['image/*'], [], ['bad type'], null]) }, mark);
      return { method: 'POST', path: '/bucket', body: b.body, type: b.type, writes: { bucket: mark } };
    }
    case 2:
      return { method: pick(['GET', 'GET', 'DELETE']), path: `/bucket/${maybe(0.8) ? bucket : 'nope'}` };
    case 3: {
      const b = jsonBody({ public: () => maybe(), file_size_limit: () => pick([100, '1MB', null, '100GB']), allowed_mime_types: () => pick([['text/plain', 'image/*'], null, ['x']]) }, mark);
      return { method: 'PUT', path: `/bucket/${bucket}`, body: b.body, type: b.type };
    }
    case 4:
      return { method: 'POST', path: `/bucket/${bucket === PUBLIC || bucket === PRIVATE ? LIMITED : bucket}/empty`, body: maybe() ? '{}' : undefined, type: 'application/json' };
    case 5:
    case 6:
    case 7: {
      const u = uploadBody(mark);
      return { method: pick(['POST', 'POST', 'PUT']), path: `/object/${bucket}/${key}`, body: u.body, type: u.type, headers: u.headers, writes: { key: mark } };
    }
    case 8:
    case 9:
      return { method: pick(['GET', 'GET', 'HEAD']), path: `/object/${pick(['', 'authenticated/', 'public/', 'info/', 'info/authenticated/', 'info/public/'])}${bucket}/${key}`, query: maybe(0.2) ? `download=${pick(['', 'x.txt', '%00', '%E0%A4%A', '"q"'])}` : undefined };
    case 10:
      return { method: 'DELETE', path: `/object/${bucket === PUBLIC || bucket === PRIVATE ? LIMITED : bucket}/${key}` };
    case 11: {
      const b = jsonBody({ prefixes: () => pick([[validKey()], [`${mark}.txt`, 'nope'], [], ['\u0000'], [1, 2]]) }, mark);
      return { method: 'DELETE', path: `/object/${bucket === PUBLIC || bucket === PRIVATE ? LIMITED : bucket}`, body: b.body, type: b.type };
    }
    case 12: {
      const b = jsonBody({ prefix: () => pick(['', 'dir', 'dir/', 'dir/sub/', '%', '_', '\\', 'ü']), limit: () => pick([1, 10, 1000, 0]), offset: () => pick([0, 1, 100]), search: () => pick(['', 'a', '%', '_', '\\']), sortBy: () => ({ column: pick(['name', 'updated_at', 'created_at', 'last_accessed_at', 'id', 'name desc']), order: pick(['asc', 'desc', 'ASC', 'up']) }) }, mark);
      return { method: 'POST', path: `/object/list/${bucket}`, body: b.body, type: b.type };
    }
    case 13: {
      const cursor = () => pick([Buffer.from('l:a.txt\no:asc').toString('base64'), Buffer.from('l:x\no:desc\nc:created_at\na:2024-01-01T00:00:00Z').toString('base64'), Buffer.from('l:x\nc:created_at\na:not a date').toString('base64'), Buffer.from('l:x\nc:created_at\na:99999-01-01').toString('base64'), Buffer.from('a:').toString('base64'), Buffer.from('l:\u0000').toString('base64'), '!!!', '', Buffer.from([0xff, 0xfe, 0x0a]).toString('base64')]);
      const b = jsonBody({ prefix: () => pick(['', 'dir/', 'd', 'ü', '\ud800']), limit: () => pick([1, 2, 1000, 5000]), cursor, with_delimiter: () => maybe(), sortBy: () => ({ column: pick(['name', 'updated_at', 'created_at', 'nope']), order: pick(['asc', 'desc', 'x']) }) }, mark);
      return { method: 'POST', path: `/object/list-v2/${bucket}`, body: b.body, type: b.type };
    }
    case 14:
    case 15: {
      const b = jsonBody({ bucketId: () => validBucket(), sourceKey: validKey, destinationKey: () => pick([`${mark}.txt`, `dir/${mark}.bin`, `../${mark}`, `${mark}\u0000`, `${mark}/`]), destinationBucket: () => pick([LIMITED, PRIVATE, 'nope', `${mark}`]), copyMetadata: () => maybe(), metadata: () => pick([{ cacheControl: 'max-age=1', mimetype: 'text/plain' }, { cacheControl: 'a\r\nb' }, { mimetype: 'text/ā😀' }, { cacheControl: 'max-age=ā' }, { mimetype: 5 }, null]) }, mark);
      const h: Record<string, string> = {};
      if (maybe(0.3)) h['x-upsert'] = 'true';
      if (maybe(0.2)) h['x-metadata'] = pick(['e30=', 'xx', Buffer.from('[]').toString('base64')]);
      return { method: 'POST', path: `/object/${pick(['move', 'copy'])}`, body: b.body, type: b.type, headers: h, writes: { key: mark } };
    }
    case 16: {
      const b = jsonBody({ expiresIn: () => pick([60, 1, 3600, 2 ** 31, 2 ** 53, 1e12]) }, mark);
      return { method: 'POST', path: `/object/sign/${bucket}/${key}`, body: b.body, type: b.type };
    }
    case 17: {
      const b = jsonBody({ expiresIn: () => pick([60, 1e12]), paths: () => pick([[validKey()], KEYS, [validKey(), '\u0000'], ['x'.repeat(5000)], []]) }, mark);
      return { method: 'POST', path: `/object/sign/${bucket}`, body: b.body, type: b.type };
    }
    case 18:
    case 19: {
      const t = pick(urlTokens);
      return { method: 'GET', path: `/object/sign/${maybe() ? PRIVATE : bucket}/${maybe() ? 'a.txt' : key}`, query: maybe(0.9) ? `token=${encodeURIComponent(t)}${maybe(0.2) ? '&download=x' : ''}` : undefined };
    }
    case 20: {
      const h: Record<string, string> = maybe(0.3) ? { 'x-upsert': pick(['true', 'false']) } : {};
      return { method: 'POST', path: `/object/upload/sign/${bucket}/${key}`, body: maybe() ? '{}' : undefined, type: 'application/json', headers: h, writes: { key: mark } };
    }
    case 21: {
      const u = uploadBody(mark);
      const t = pick(urlTokens).replace(/MARK/g, mark);
      return { method: 'PUT', path: `/object/upload/sign/${maybe() ? PRIVATE : bucket}/${maybe() ? `${mark}.txt` : key}`, query: maybe(0.9) ? `token=${encodeURIComponent(t)}` : undefined, body: u.body, type: u.type, headers: u.headers, writes: { key: mark } };
    }
    case 22:
      return { method: pick(['PATCH', 'OPTIONS', 'PROPFIND', 'POST', 'GET']), path: pick(['', '/', '/object', '/object/', '/object/list', '/object/sign', `/object/${bucket}`, '/bucket/', '/render/image/public/x/y', '/%ZZ', `/s3/${bucket}`]) };
    default:
      return { method: 'GET', path: `/object/public/${bucket}/${key}` };
  }
}

/** Odd values for headers any endpoint reads. */
function oddHeaders(): Record<string, string> {
  const h: Record<string, string> = {};
  if (maybe(0.15)) h.range = pick(['bytes=0-1', 'bytes=5-2', 'bytes=-', 'bytes=999999999999999999999-', 'items=0-1', 'bytes=0-1,3-4', 'bytes=-0', 'bytes=10-', 'BYTES=0-0']);
  if (maybe(0.1)) h['if-none-match'] = pick(['*', '"x"', 'W/"x"', ',,,', '']);
  if (maybe(0.1)) h['if-modified-since'] = pick(['Thu, 01 Jan 1970 00:00:00 GMT', 'garbage', '99999-01-01', '']);
  if (maybe(0.05)) h['x-forwarded-for'] = pick(['1.2.3.4', '\u00e9', '']);
  return h;
}

function isStorageError(text: string): boolean {
  try {
    const e = JSON.parse(text) as Record<string, unknown>;
    return typeof e.message === 'string' && typeof e.error === 'string' && (typeof e.statusCode === 'string' || typeof e.statusCode === 'number');
  } catch {
    return false;
  }
}

test('random and hostile requests get 2xx/3xx/4xx answers in Storage\'s error format, and rejected writes leave nothing', async () => {
  const info = stack();
  const failures: string[] = [];
  const rejectedMarks: string[] = [];
  const stats = new Map<string, number>();
  const rejected = new Map<string, string>();
  for (let i = 0; i < ROUNDS; i++) {
    const mark = `fz${RUN}m${i}q`; // ends in a letter, so one mark is never a prefix of another
    const r = buildRequest(mark);
    // Mostly callers who get past the JWT check, so the deeper code is reached.
    const auth = maybe(0.45) ? authHeaders[2] : maybe(0.3) ? authHeaders[5] : pick(authHeaders);
    const headers: Record<string, string> = { ...auth, ...oddHeaders(), ...(r.headers ?? {}) };
    if (r.type !== undefined) headers['content-type'] = r.type;
    const url = `${info.apiUrl}/storage/v1${r.path}${r.query ? `?${r.query}` : ''}`;
    const body = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body;
    let res: Response;
    try {
      res = await fetch(url, { method: r.method, headers, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body), signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      failures.push(`${r.method} ${url}: transport error ${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ''}`);
      continue;
    }
    const text = await res.text();
    const shown = typeof body === 'string' ? body.slice(0, 200) : body ? `<${body.length} bytes>` : '';
    const label = `#${i} ${r.method} ${url.slice(0, 300)} ${JSON.stringify(headers).slice(0, 300)} ${JSON.stringify(shown)} → ${res.status} ${text.slice(0, 300)}`;
    // STORAGE_FUZZ_STATS=1 prints what the run reached: endpoint, status and error, counted
    const seen = `${r.method} ${r.path.split('/').slice(0, 3).join('/').slice(0, 30)} ${res.status} ${res.status >= 400 ? text.slice(0, 90) : ''}`;
    stats.set(seen, (stats.get(seen) ?? 0) + 1);
    if (res.status >= 500) failures.push(label);
    else if (res.status >= 400) {
      // (a path whose dot segments climb out of /storage/v1 is the gateway's, not Storage's)
      const ours = new URL(url).pathname.startsWith('/storage/v1');
      if (ours && r.method !== 'HEAD' && !isStorageError(text)) failures.push(`bad error body: ${label}`);
      if (r.writes) rejectedMarks.push(mark), rejected.set(mark, label);
    }
  }
  if (process.env.STORAGE_FUZZ_STATS) console.log([...stats].sort().map(([k, v]) => `${v}\t${k}`).join('\n'));
  if (failures.length) console.log(failures.join('\n'));
  expect(failures).toEqual([]);

  // Nothing a rejected request carried was written: no row, no bucket under its mark.
  const left = await withDb(async (db) => {
    const objects = await db.query('select bucket_id, name from storage.objects where name like any($1)', [rejectedMarks.map((m) => `%${m}%`)]);
    const buckets = await db.query('select id from storage.buckets where id like any($1)', [rejectedMarks.map((m) => `%${m}%`)]);
    return [...objects.rows, ...buckets.rows];
  });
  for (const row of left) console.log(Object.values(row).join('/'), [...rejected].find(([m]) => Object.values(row).join('/').includes(m))?.[1]);
  expect(left).toEqual([]);

  // Every object row the fuzz left in this run's buckets still has its bytes.
  const rows = await withDb(async (db) => (await db.query<{ bucket_id: string; name: string }>('select bucket_id, name from storage.objects where bucket_id = any($1)', [OWN_BUCKETS])).rows);
  const admin = serviceClient();
  for (const row of rows) {
    // raw, since supabase-js would fold a key such as '//x' (valid in Storage) into 'x'
    const path = row.name.split('/').map(encodeURIComponent).join('/');
    const res = await fetch(`${info.apiUrl}/storage/v1/object/authenticated/${row.bucket_id}/${path}`, { headers: { Authorization: `Bearer ${info.serviceRoleKey}` } });
    await res.arrayBuffer();
    expect(res.status, `${row.bucket_id}/${row.name}`).toBe(200);
  }

  // ...and the server still serves a simple round trip.
  const bucket = `fz${RUN}-after`;
  expect((await admin.storage.createBucket(bucket)).error).toBeNull();
  expect((await admin.storage.from(bucket).upload('ok.txt', Buffer.from('still here'), { contentType: 'text/plain' })).error).toBeNull();
  const back = await admin.storage.from(bucket).download('ok.txt');
  expect(await back.data?.text()).toBe('still here');
}, 120_000);

test('racing moves, copies, uploads, deletes and emptying of the same keys never get a 5xx, and every row keeps its bytes', async () => {
  const info = stack();
  const bucket = `fz${RUN}-race`;
  expect((await serviceClient().storage.createBucket(bucket)).error).toBeNull();
  const auth = { Authorization: `Bearer ${info.serviceRoleKey}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const base = `${info.apiUrl}/storage/v1`;
  const keys = ['a', 'b', 'c'];
  const failures: string[] = [];
  // a to b racing b to a (and copies, replacing uploads, deletes of either): each takes the keys in its own order
  for (let round = 0; round < 40; round++) {
    const ops = Array.from({ length: 10 }, (_, i) => {
      const from = keys[(round + i) % 3];
      const to = keys[(round + i * 7 + 1) % 3];
      if (i === 9 && round % 4 === 0) return fetch(`${base}/bucket/${bucket}/empty`, { method: 'POST', headers: auth });
      switch ((round * 3 + i) % 7) {
        case 0: return fetch(`${base}/object/move`, { method: 'POST', headers: json, body: JSON.stringify({ bucketId: bucket, sourceKey: from, destinationKey: to }) });
        case 1: return fetch(`${base}/object/copy`, { method: 'POST', headers: json, body: JSON.stringify({ bucketId: bucket, sourceKey: from, destinationKey: to }) });
        case 2: return fetch(`${base}/object/${bucket}/${to}`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: `v${round}.${i}` });
        case 3: return fetch(`${base}/object/${bucket}/${to}`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain', 'x-upsert': 'true' }, body: `v${round}.${i}` });
        case 4: return fetch(`${base}/object/${bucket}/${to}`, { method: 'DELETE', headers: auth });
        case 5: return fetch(`${base}/object/${bucket}`, { method: 'DELETE', headers: json, body: JSON.stringify({ prefixes: [from, to] }) });
        default: return fetch(`${base}/object/copy`, { method: 'POST', headers: { ...json, 'x-upsert': 'true' }, body: JSON.stringify({ bucketId: bucket, sourceKey: from, destinationKey: to }) });
      }
    });
    for (const res of await Promise.all(ops)) {
      const text = await res.text();
      if (res.status >= 500) failures.push(`round ${round}: ${res.status} ${text}`);
    }
  }
  expect(failures).toEqual([]);
  const rows = await withDb(async (db) => (await db.query<{ name: string }>('select name from storage.objects where bucket_id = $1', [bucket])).rows);
  for (const { name } of rows) {
    const res = await fetch(`${base}/object/authenticated/${bucket}/${name}`, { headers: auth });
    expect(res.status, name).toBe(200);
    expect(await res.text()).toMatch(/^v\d+\.\d+$/);
  }
}, 60_000);
