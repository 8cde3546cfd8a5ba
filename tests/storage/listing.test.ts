import { describe, expect, it } from 'vitest';
import { stack } from '../support/env.js';
import { createUser, png } from './support.js';

const url = (p: string) => `${stack().apiUrl}/storage/v1${p}`;

describe('listV2 (POST /object/list-v2/:bucket)', () => {
  it('pages whole keys under a prefix with a cursor, and folds folders with with_delimiter', async () => {
    const alice = await createUser('alice');
    const b = alice.client.storage.from('post-media');
    for (const n of ['c.png', 'a.png', 'b.png', 'sub/d.png', 'sub/e.png']) {
      expect((await b.upload(`${alice.id}/${n}`, png(), { contentType: 'image/png' })).error).toBeNull();
    }
    const first = await b.listV2({ prefix: `${alice.id}/`, limit: 2 });
    expect(first.error).toBeNull();
    expect(first.data!.objects.map((o) => o.name)).toEqual([`${alice.id}/a.png`, `${alice.id}/b.png`]);
    expect(first.data!.hasNext).toBe(true);
    const second = await b.listV2({ prefix: `${alice.id}/`, limit: 2, cursor: first.data!.nextCursor });
    expect(second.data!.objects.map((o) => o.name)).toEqual([`${alice.id}/c.png`, `${alice.id}/sub/d.png`]);
    const third = await b.listV2({ prefix: `${alice.id}/`, limit: 2, cursor: second.data!.nextCursor });
    expect(third.data!.objects.map((o) => o.name)).toEqual([`${alice.id}/sub/e.png`]);
    expect(third.data!.hasNext).toBe(false);

    const folded = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true });
    expect(folded.data!.folders.map((f) => f.name)).toEqual([`${alice.id}/sub/`]);
    expect(folded.data!.objects.map((o) => o.name)).toEqual(['a', 'b', 'c'].map((n) => `${alice.id}/${n}.png`));
    expect(folded.data!.objects[0]).toMatchObject({ metadata: { mimetype: 'image/png' } });

    const desc = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true, limit: 1, sortBy: { column: 'name', order: 'desc' } });
    expect(desc.data!.folders.map((f) => f.name)).toEqual([`${alice.id}/sub/`]);
    const next = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true, limit: 1, cursor: desc.data!.nextCursor });
    expect(next.data!.objects.map((o) => o.name)).toEqual([`${alice.id}/c.png`]);
  });

  it('delimited entries carry Storage\'s keys (key, name, id, dates, metadata), pages carry nextCursorKey, folders sort by date too', async () => {
    const alice = await createUser('alice');
    const b = alice.client.storage.from('post-media');
    // The folder's oldest object comes first, so by created_at the folder sorts before z.png.
    for (const n of ['late/one.png', 'z.png', 'late/two.png']) expect((await b.upload(`${alice.id}/${n}`, png(), { contentType: 'image/png' })).error).toBeNull();
    const page = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true, limit: 1 });
    expect(page.error).toBeNull();
    expect(page.data).toMatchObject({ hasNext: true, nextCursorKey: `${alice.id}/late/` });
    expect(page.data!.folders).toEqual([{ key: 'late', name: `${alice.id}/late/`, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null }]);
    expect(Object.keys(page.data!.folders[0])).toEqual(['key', 'name', 'id', 'updated_at', 'created_at', 'last_accessed_at', 'metadata']);
    const rest = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true, cursor: page.data!.nextCursor });
    expect(rest.data!.objects.map((o) => [o.key, o.name])).toEqual([['z.png', `${alice.id}/z.png`]]);
    expect(rest.data).toMatchObject({ hasNext: false });
    expect((rest.data as unknown as Record<string, unknown>).nextCursorKey).toBeUndefined();
    const byDate = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true, sortBy: { column: 'created_at', order: 'desc' } });
    expect([...byDate.data!.objects, ...byDate.data!.folders].length).toBe(2);
    const desc = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true, limit: 1, sortBy: { column: 'created_at', order: 'desc' } });
    expect(desc.data!.objects.map((o) => o.name)).toEqual([`${alice.id}/z.png`]);
    const next = await b.listV2({ prefix: `${alice.id}/`, with_delimiter: true, limit: 1, cursor: desc.data!.nextCursor });
    expect(next.data!.folders.map((f) => f.name)).toEqual([`${alice.id}/late/`]);
    // Sorted by date, a folder carries its oldest object's creation as both dates.
    const folder = next.data!.folders[0] as unknown as Record<string, unknown>;
    expect(folder.created_at).toEqual(expect.any(String));
    expect(folder.updated_at).toBe(folder.created_at);
  });

  it('pages by updated_at to the end, each object once (the cursor keeps microseconds)', async () => {
    const alice = await createUser('alice');
    const b = alice.client.storage.from('post-media');
    const names = ['t1.png', 't2.png', 't3.png', 't4.png', 't5.png'];
    for (const n of names) expect((await b.upload(`${alice.id}/${n}`, png(), { contentType: 'image/png' })).error).toBeNull();
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const { data, error } = await b.listV2({ prefix: `${alice.id}/`, limit: 2, sortBy: { column: 'updated_at', order }, cursor });
        expect(error).toBeNull();
        seen.push(...data!.objects.map((o) => o.name));
        if (!data!.hasNext) break;
        cursor = data!.nextCursor;
      }
      expect([...seen].sort()).toEqual(names.map((n) => `${alice.id}/${n}`));
    }
  });

  it('refuses a continuation token whose sort column or order is not one of the allowed values', async () => {
    const alice = await createUser('alice');
    const list = (raw: string) => fetch(url('/object/list-v2/post-media'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prefix: '', cursor: Buffer.from(raw).toString('base64') }),
    });
    for (const raw of [
      "l:a\nc:(updated_at + (select interval '0 s' from pg_sleep(2)))",
      'l:a\nc:id',
      'l:a\no:sideways',
      'l:a\nc:updated_at\na:not a date',
    ]) {
      // refused before any SQL is built from it (an injected one would answer 200, or 500 on junk)
      const res = await list(raw);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: '400', message: 'Invalid continuation token' });
    }
  });

  it('never reaches the upload route, and validates its body', async () => {
    const alice = await createUser('alice');
    const res = await fetch(url('/object/list-v2/post-media'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 0 }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: '400', message: 'body/limit must be >= 1' });
  });
});

describe('list (POST /object/list/:bucket) validates its body as Storage\'s schema', () => {
  it('prefix is required, limit >= 1, offset >= 0, sortBy column and order from their lists', async () => {
    const alice = await createUser('alice');
    const post = (body: unknown) =>
      fetch(url('/object/list/post-media'), { method: 'POST', headers: { Authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const cases: [unknown, string][] = [
      [{}, "body must have required property 'prefix'"],
      [{ prefix: '', limit: 0 }, 'body/limit must be >= 1'],
      [{ prefix: '', limit: 1.5 }, 'body/limit must be integer'],
      [{ prefix: '', offset: -1 }, 'body/offset must be >= 0'],
      [{ prefix: '', sortBy: { column: 'size' } }, 'body/sortBy/column must be equal to one of the allowed values'],
      [{ prefix: '', sortBy: { column: 'name', order: 'up' } }, 'body/sortBy/order must be equal to one of the allowed values'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: '400', message });
    }
    expect((await post({ prefix: alice.id, limit: 5 })).status).toBe(200);
  });
});

describe('unknown routes', () => {
  it('answer Fastify\'s JSON 404 with the route as Storage sees it', async () => {
    const res = await fetch(url('/nope/at/all?x=1'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Route GET:/nope/at/all?x=1 not found' });
  });

  it('an image transformation of a missing object is Storage\'s JSON 404, not a bare one', async () => {
    const res = await fetch(url('/render/image/public/avatars/x.png?width=10'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: '404', code: 'NoSuchKey' });
  });
});
