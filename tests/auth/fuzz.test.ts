import pg from 'pg';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stack } from '../support/env.js';
import { seeded } from '../support/fuzz.js';
import { authFetch, uniqueEmail } from './support.js';

// Hostile input: whatever arrives, /auth/v1 answers 2xx/3xx/4xx with GoTrue's JSON error body,
// keeps serving, and a rejected write leaves nothing behind.

const SEED = Number(process.env.AUTH_FUZZ_SEED ?? 20261126);
const { pick, maybe } = seeded(SEED);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

type Field = 'string' | 'bool' | 'object';
interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  fields?: Record<string, Field>;
  /** which bearer makes sense here (a random one is sent too, sometimes) */
  auth?: 'user' | 'leaver' | 'admin';
  queries?: Record<string, string[]>;
}

const EMAIL_FIELDS: Record<string, Field> = { email: 'string', phone: 'string', password: 'string', data: 'object' };
const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/signup', fields: EMAIL_FIELDS, queries: { redirect_to: ['http://127.0.0.1:3000/x', 'javascript:alert(1)', '%E0%A4%A'] } },
  { method: 'POST', path: '/token', fields: { email: 'string', phone: 'string', password: 'string' }, queries: { grant_type: ['password'] } },
  { method: 'POST', path: '/token', fields: { refresh_token: 'string' }, queries: { grant_type: ['refresh_token'] } },
  { method: 'POST', path: '/token', fields: { auth_code: 'string', code_verifier: 'string' }, queries: { grant_type: ['pkce', 'id_token', 'web3', '', 'nope', '%00'] } },
  { method: 'GET', path: '/user', auth: 'user' },
  { method: 'PUT', path: '/user', auth: 'user', fields: { email: 'string', password: 'string', phone: 'string', data: 'object', app_metadata: 'object', nonce: 'string' } },
  { method: 'POST', path: '/logout', auth: 'leaver', queries: { scope: ['global', 'local', 'others', 'all', '', '%ZZ'] } },
  { method: 'POST', path: '/recover', fields: { email: 'string' } },
  { method: 'POST', path: '/otp', fields: { email: 'string', phone: 'string', create_user: 'bool', data: 'object' } },
  { method: 'POST', path: '/magiclink', fields: { email: 'string', data: 'object' } },
  { method: 'POST', path: '/verify', fields: { type: 'string', token: 'string', token_hash: 'string', email: 'string', phone: 'string', redirect_to: 'string' } },
  { method: 'GET', path: '/verify', queries: { type: ['signup', 'recovery', 'magiclink', 'invite', 'email_change', 'email', 'sms', '', '%FF'], token: ['abc', '', '%00', 'a'.repeat(3000), '%E0%A4%A', "'; drop table auth.users; --"], redirect_to: ['http://127.0.0.1:3000', 'https://evil.example', '%00', '::'] } },
  { method: 'POST', path: '/resend', fields: { type: 'string', email: 'string', phone: 'string' } },
  { method: 'POST', path: '/invite', auth: 'admin', fields: { email: 'string', data: 'object' } },
  { method: 'GET', path: '/settings' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/.well-known/jwks.json' },
  { method: 'GET', path: '/admin/users', auth: 'admin', queries: { page: ['1', '0', '-1', 'abc', '99999999999999999999', '1e3', '9007199254740993'], per_page: ['1', '0', '1000', '1001', 'x', '-5', '18446744073709551615'] } },
  {
    method: 'POST', path: '/admin/users', auth: 'admin',
    fields: { email: 'string', phone: 'string', password: 'string', password_hash: 'string', id: 'string', email_confirm: 'bool', user_metadata: 'object', app_metadata: 'object', role: 'string', ban_duration: 'string' },
  },
  { method: 'GET', path: '/admin/users/:id', auth: 'admin' },
  { method: 'PUT', path: '/admin/users/:id', auth: 'admin', fields: { email: 'string', password: 'string', email_confirm: 'bool', user_metadata: 'object', app_metadata: 'object', role: 'string', ban_duration: 'string' } },
  { method: 'DELETE', path: '/admin/users/:id', auth: 'admin', fields: { should_soft_delete: 'bool' } },
  { method: 'POST', path: '/admin/generate_link', auth: 'admin', fields: { type: 'string', email: 'string', password: 'string', data: 'object', new_email: 'string', redirect_to: 'string' } },
];

/** Values of every JSON type, and strings that have broken parsers and databases before. */
const HOSTILE = [
  0, -1, 1.5, 1e308, -9007199254740992, true, false, null, [], ['a'], [{}], {}, { a: { b: [1, null] } }, '',
  ' ', '\u0000', 'a\u0000b', '\u0001\u001f\u007f', '\ud800', 'x\udfffy', '\u{1F600}\u00e9\u202e', 'x'.repeat(300), 'y'.repeat(100_000),
  "'; drop table auth.users; --", '%00', '../../etc/passwd', '\\', '"', '{{ .Token }}', 'none', '-1h', '99999999999999999999h', '1h30m', '0.5s',
  `$2a$04$${'.'.repeat(53)}`, 'service_role', 'supabase_admin', '00000000-0000-0000-0000-000000000000', '{6ba7b810-9dad-11d1-80b4-00c04fd430c8}',
  'signup', 'recovery', 'magiclink', 'invite', 'email_change_current', 'email_change_new', 'email',
];
const METADATA = [{ k: '\u0000' }, { '\u0000': 1 }, { k: '\ud800' }, { deep: JSON.parse('['.repeat(998) + ']'.repeat(998)) }, { deep: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) }, { n: 1e308, s: 'é\u{1F600}' }, { role: 'service_role', provider: null }, { full_name: 'x'.repeat(10_000) }];

function hostileEmail(mark: string): unknown {
  return pick<unknown>([
    `${mark}@example.com`, `${mark.toUpperCase()}@EXAMPLE.COM`, `${mark}\u0000@example.com`, `${mark}@example.com\u0000`, `${'a'.repeat(250)}@example.com`,
    `${mark}@exa mple.com`, '@example.com', `${mark}@`, `${mark}@-bad-.com`, `${mark}@example.com,other@example.com`, `${mark}+tag@xn--bcher-kva.example`,
    `${mark}\ud800@example.com`, `é${mark}@example.com`, pick(HOSTILE),
  ]);
}

function valueFor(type: Field, key: string, mark: string): unknown {
  if (maybe(0.35)) return pick(HOSTILE);
  if (key === 'email' || key === 'new_email') return hostileEmail(mark);
  if (type === 'object') return maybe(0.5) ? { fuzz_mark: mark, ...pick(METADATA) } : { fuzz_mark: mark };
  if (type === 'bool') return maybe();
  if (key === 'password') return pick(['correct-horse-1', 'abc', '\u00e9'.repeat(40), 'p\u0000ssword-1', 'pass\ud800word-1', ' '.repeat(8)]);
  if (key === 'id') return pick([crypto.randomUUID(), 'user-42', `urn:uuid:${crypto.randomUUID()}`, '\u0000']);
  if (key === 'role') return pick(['authenticated', 'service_role', 'r'.repeat(300), 'é'.repeat(200), '\u0000']);
  if (key === 'ban_duration') return pick(['24h', 'none', '-5m', '1.5h', '1e9h', '2562047h', '2562048h', 'h', '0']);
  if (key === 'type') return pick(['signup', 'recovery', 'magiclink', 'invite', 'email_change', 'email_change_current', 'email_change_new', 'email', 'sms', 'phone_change', 'teleport']);
  if (key === 'token' || key === 'token_hash' || key === 'refresh_token') return pick(['123456', 'a'.repeat(56), 'abc\u0000', 'x'.repeat(5000), "' or 1=1 --", '']);
  return pick(['', 'plain', 'x'.repeat(1000), '\u0000', 'http://127.0.0.1:3000/cb']);
}

/** A body each endpoint accepts, so that one hostile field in it reaches past the first checks. */
function validBody(ep: Endpoint, mark: string): Record<string, unknown> {
  const email = `${mark}@example.com`;
  const password = 'correct-horse-1';
  switch (ep.path) {
    case '/signup': case '/admin/users':
      return { email, password, [ep.path === '/signup' ? 'data' : 'user_metadata']: { fuzz_mark: mark } };
    case '/token':
      return ep.fields?.refresh_token ? { refresh_token: 'abcdefghijkl' } : ep.fields?.auth_code ? { auth_code: 'x', code_verifier: 'y' } : { email, password };
    case '/user': case '/admin/users/:id':
      return { [ep.path === '/user' ? 'data' : 'user_metadata']: { fuzz_mark: mark } };
    case '/verify':
      return maybe() ? { type: 'signup', token_hash: 'a'.repeat(56) } : { type: 'email', email, token: '123456' };
    case '/resend':
      return { type: 'signup', email };
    case '/admin/generate_link':
      return { type: pick(['signup', 'magiclink', 'invite']), email, password, data: { fuzz_mark: mark } };
    case '/otp': case '/magiclink': case '/invite':
      return { email, data: { fuzz_mark: mark } };
    default:
      return { email };
  }
}

function randomBody(ep: Endpoint, mark: string): { text: string; json: Record<string, unknown> | null } {
  if (ep.fields && maybe(0.5)) {
    // one hostile field in an otherwise valid body
    const json = validBody(ep, mark);
    const [key, type] = pick(Object.entries(ep.fields));
    json[key] = maybe(0.6) ? pick(HOSTILE) : type === 'object' ? { fuzz_mark: mark, ...pick(METADATA) } : valueFor(type, key, mark);
    return { json, text: JSON.stringify(json) };
  }
  if (maybe(0.12)) {
    return {
      json: null,
      text: pick([
        '', '{', '[1,2]', '"text"', 'null', '42', '{"email":1e999}', '\u0000', 'email=a%40b.c&password=x', '<xml/>',
        `{"email":"${mark}@example.com","email":5}`, `{"email":5,"email":"${mark}@example.com","password":"correct-horse-1"}`,
        '['.repeat(50_000) + ']'.repeat(50_000), `{"data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)},"email":"${mark}@example.com","password":"correct-horse-1"}`,
        `{"__proto__":{"admin":true},"email":"${mark}@example.com","password":"correct-horse-1"}`,
      ]),
    };
  }
  const json: Record<string, unknown> = {};
  for (const [key, type] of Object.entries(ep.fields ?? {})) if (maybe(0.7)) json[key] = valueFor(type, key, mark);
  if (maybe(0.1)) json[pick(['nope', 'constructor', '', '\u0000'])] = pick(HOSTILE);
  return { json, text: JSON.stringify(json) };
}

async function jwt(claims: Record<string, unknown>, secret = stack().jwtSecret) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

let db: pg.Client;
let userToken = '';
let leaverToken = '';
let userId = '';
let targetId = '';
let bearers: string[] = [];

beforeAll(async () => {
  db = new pg.Client({ connectionString: stack().dbUrl });
  await db.connect();
  const admin = { authorization: `Bearer ${stack().serviceRoleKey}` };
  const make = async (prefix: string) => {
    const email = uniqueEmail(prefix);
    const res = await authFetch('/admin/users', { method: 'POST', headers: admin, json: { email, password: 'fuzz-pass-1', email_confirm: true } });
    return { email, id: ((await res.json()) as { id: string }).id };
  };
  const fuzzer = await make('fuzzer');
  userId = fuzzer.id;
  targetId = (await make('fuzz-target')).id;
  const signedIn = await authFetch('/token?grant_type=password', { method: 'POST', json: { email: fuzzer.email, password: 'fuzz-pass-1' } });
  userToken = ((await signedIn.json()) as { access_token: string }).access_token;
  // logging out ends sessions, so it gets a user of its own
  const leaver = await make('fuzz-leaver');
  const left = await authFetch('/token?grant_type=password', { method: 'POST', json: { email: leaver.email, password: 'fuzz-pass-1' } });
  leaverToken = ((await left.json()) as { access_token: string }).access_token;
  const now = Math.floor(Date.now() / 1000);
  bearers = [
    '', 'x', 'a.b.c', 'onlyonepart', '..', 'a'.repeat(4000),
    `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: userId, role: 'service_role' })}.`,
    `${b64({ alg: 'HS512' })}.${b64({ role: 'service_role' })}.sig`,
    `${b64(['not', 'an', 'object'])}.${b64({})}.sig`,
    `${b64({ alg: 'HS256' })}.${Buffer.from('\u0000{garbage').toString('base64url')}.sig`,
    await jwt({ sub: userId, role: 'authenticated', exp: now - 10 }),
    await jwt({ sub: userId, role: 'authenticated', exp: now + 60, nbf: now + 3600 }),
    await jwt({ sub: userId, role: 'authenticated', exp: 'tomorrow' }),
    await jwt({ sub: userId, role: 'authenticated', exp: 1e300 }),
    await jwt({ sub: 'alice', role: 'authenticated', exp: now + 60 }),
    await jwt({ sub: 42, role: 'service_role', exp: now + 60 }),
    await jwt({ sub: userId, role: 'authenticated', exp: now + 60, session_id: 'not-a-uuid' }),
    await jwt({ sub: userId, role: 'authenticated', exp: now + 60, session_id: crypto.randomUUID() }),
    await jwt({ sub: userId, role: ['service_role'], exp: now + 60 }),
    await jwt({ sub: userId, role: 'service_role', exp: now + 60 }, 'another-secret-that-is-at-least-32-characters'),
    await jwt({ role: 'supabase_admin', exp: now + 60 }),
  ];
});
afterAll(async () => db?.end());

function headersFor(ep: Endpoint, i: number): Record<string, string> {
  const h: Record<string, string> = {};
  const admin = `Bearer ${stack().serviceRoleKey}`;
  if (maybe(0.75)) h.authorization = ep.auth === 'admin' ? admin : ep.auth === 'user' ? `Bearer ${userToken}` : ep.auth === 'leaver' ? `Bearer ${leaverToken}` : `Bearer ${stack().anonKey}`;
  if (maybe(0.25)) h.authorization = pick([`Bearer ${pick(bearers)}`, 'Basic Zm9vOmJhcg==', 'Bearer', 'bearer  two  spaces', `Bearer ${userToken} extra`, admin.toUpperCase()]);
  if (maybe(0.1)) h.apikey = pick(['', 'x', stack().serviceRoleKey]);
  if (maybe(0.2)) h['content-type'] = pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '']);
  if (maybe(0.2)) h['x-supabase-api-version'] = pick(['2024-01-01', '2099-12-31', '1999-01-01', 'yesterday', '2024-13-45', '']);
  // a per-request address keeps the per-IP limits out of the way; some are not addresses at all
  if (maybe(0.4)) h['x-forwarded-for'] = pick([`10.77.${i >> 8}.${i & 255}`, 'dead', 'beef, 10.0.0.1', '1.2.3', '::::', '300.1.1.1', 'abcdef'.repeat(20), '::1', `fe80::${i.toString(16)}`, 'unknown', ',,,']);
  if (maybe(0.1)) h['user-agent'] = pick(['', 'é', 'u'.repeat(8000)]);
  if (maybe(0.05)) h.referer = pick(['http://127.0.0.1:3000/from', 'not a url', 'javascript:x']);
  return h;
}

function pathFor(ep: Endpoint): string {
  let path = ep.path;
  if (path.includes(':id')) {
    const ids = ['not-a-uuid', crypto.randomUUID(), '%E0%A4%A', '%00', 'x'.repeat(3000), '00000000-0000-0000-0000-000000000000', `${crypto.randomUUID()}%20`, '..%2Fusers'];
    // the fuzzing user is only ever read; the target may be changed (and even deleted) at will
    const real = ep.method === 'GET' ? [userId, targetId] : [targetId];
    path = path.replace(':id', maybe(0.5) ? pick(real) : pick(ids));
  }
  const query: string[] = [];
  for (const [k, values] of Object.entries(ep.queries ?? {})) if (maybe(0.8)) query.push(`${k}=${pick(values)}`);
  if (maybe(0.1)) query.push(pick(['redirect_to=%ZZ', 'grant_type=password&grant_type=refresh_token', '%00=%00', `x=${'q'.repeat(2000)}`]));
  return query.length ? `${path}?${query.join('&')}` : path;
}

function isGoTrueError(body: unknown): boolean {
  const b = body as Record<string, unknown>;
  if (!b || typeof b !== 'object') return false;
  if (typeof b.error === 'string') return true; // OAuth-style {error, error_description}
  if (typeof b.code === 'number') return typeof b.error_code === 'string' && typeof b.msg === 'string';
  return typeof b.code === 'string' && typeof b.message === 'string'; // 2024-01-01 API version
}

/** Sends requests, collecting every 5xx or malformed error, and the marks of rejected bodies. */
class Run {
  failures: string[] = [];
  rejectedMarks: string[] = [];
  counts = new Map<number, number>();

  async send(label: string, ep: Endpoint, path: string, headers: Record<string, string>, body: string | undefined, mark: string): Promise<void> {
    let res: Response;
    try {
      res = await authFetch(path, { method: ep.method, headers, body });
    } catch (err) {
      this.failures.push(`${label} ${ep.method} ${path}: transport error ${(err as Error).message}`);
      return;
    }
    const text = await res.text();
    this.counts.set(res.status, (this.counts.get(res.status) ?? 0) + 1);
    const line = `${label} ${ep.method} ${path.slice(0, 200)} ${JSON.stringify(headers).slice(0, 300)} ${body?.slice(0, 300)} → ${res.status} ${text.slice(0, 300)}`;
    if (res.status >= 500) this.failures.push(line);
    if (res.status >= 400) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        this.failures.push(`non-JSON error: ${line}`);
      }
      if (parsed !== undefined && !isGoTrueError(parsed)) this.failures.push(`not GoTrue's error shape: ${line}`);
      if (body?.includes(mark)) this.rejectedMarks.push(mark);
    }
  }

  /** No 5xx, and nothing a rejected request carried was written: no user by its address or its metadata. */
  async check(): Promise<void> {
    if (this.failures.length) console.log(this.failures.join('\n'));
    expect(this.failures).toEqual([]);
    const marks = this.rejectedMarks.map((m) => m.toLowerCase());
    const { rows } = await db.query(
      `select email from auth.users
        where split_part(lower(email), '@', 1) = any($1) or lower(email_change) like any($2) or raw_user_meta_data->>'fuzz_mark' = any($1)`,
      [marks, marks.map((m) => `${m}@%`)],
    );
    expect(rows).toEqual([]);
  }
}

const SWEEP_VALUES: unknown[] = ['x\u0000y', 'x\ud800y', 'r'.repeat(300), 42, ['a'], { a: 1 }, null];
const SWEEP_OBJECTS: unknown[] = [{ k: 'x\u0000y' }, { 'k\u0000': 1 }, { k: '\udfff' }, { deep: JSON.parse('['.repeat(1500) + ']'.repeat(1500)) }, 'text', [1]];
const SWEEP_ADDRESSES = ['dead', 'beef, 10.0.0.1', '1.2.3', '::::', '300.1.1.1', 'abcdef'.repeat(20), 'unknown', ',,,', '::1'];

test('every field of every endpoint, given each hostile value in an otherwise valid body, is answered with a 2xx or 4xx', async () => {
  const run = new Run();
  let n = 0;
  for (const ep of ENDPOINTS) {
    const path = ep.path.replace(':id', ep.method === 'DELETE' ? crypto.randomUUID() : targetId) + (ep.queries?.grant_type ? `?grant_type=${ep.queries.grant_type[0]}` : '');
    const auth = ep.auth === 'admin' ? stack().serviceRoleKey : ep.auth === 'user' ? userToken : ep.auth === 'leaver' ? leaverToken : stack().anonKey;
    const headers = { authorization: `Bearer ${auth}` };
    for (const [key, type] of Object.entries(ep.fields ?? {})) {
      for (const value of type === 'object' ? SWEEP_OBJECTS : SWEEP_VALUES) {
        const mark = `fzs${SEED}-${n++}`;
        const body = { ...validBody(ep, mark), [key]: value };
        await run.send(`sweep ${key}=${JSON.stringify(value).slice(0, 40)}`, ep, path, headers, JSON.stringify(body), mark);
      }
    }
  }
  // a client address that is not one, on requests that start sessions and write audit rows
  for (const address of SWEEP_ADDRESSES) {
    const mark = `fzs${SEED}-${n++}`;
    const signup = ENDPOINTS[0];
    await run.send(`address ${address}`, signup, '/signup', { 'x-forwarded-for': address }, JSON.stringify(validBody(signup, mark)), mark);
    await run.send(`address ${address}`, ENDPOINTS[1], '/token?grant_type=password', { 'x-forwarded-for': address }, JSON.stringify({ email: `${mark}@example.com`, password: 'correct-horse-1' }), mark);
  }
  await run.check();
  expect(run.counts.get(200) ?? 0).toBeGreaterThan(20);
}, 120_000);

test('random and hostile requests get 2xx/3xx/4xx answers in GoTrue\'s format, and rejected writes leave nothing', async () => {
  const run = new Run();
  for (let i = 0; i < 500; i++) {
    const mark = `fz${SEED}-${i}`;
    const ep = pick(ENDPOINTS);
    const body = ep.method !== 'GET' ? randomBody(ep, mark).text : undefined;
    await run.send(`#${i}`, ep, pathFor(ep), headersFor(ep, i), body, mark);
  }
  await run.check();
  // the run reached the handlers, not only their refusals
  expect(run.counts.get(200) ?? 0).toBeGreaterThan(20);

  // the fuzzing user was never deleted (only ever read by the admin routes)
  const me = await db.query('select deleted_at from auth.users where id = $1', [userId]);
  expect(me.rows).toEqual([{ deleted_at: null }]);

  // and the server still serves: a sign-up and a sign-in work
  const email = uniqueEmail('after-fuzz');
  const signup = await authFetch('/signup', { method: 'POST', json: { email, password: 'after-fuzz-1' } });
  expect(signup.status).toBe(200);
  const signin = await authFetch('/token?grant_type=password', { method: 'POST', json: { email, password: 'after-fuzz-1' } });
  expect(signin.status).toBe(200);
  expect(((await signin.json()) as { user: { email: string } }).user.email).toBe(email);
}, 120_000);
