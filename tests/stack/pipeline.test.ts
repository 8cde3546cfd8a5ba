import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pipeline } from '../../stack/db/pipeline.js';
import { queryInRequestScope } from '../../stack/db/request-scope.js';
import { scratchDatabase } from '../support/env.js';

// A request's settings and statement go to Postgres as one pipeline closed by a single Sync:
// one implicit transaction, one round trip, each statement prepared once per connection.

let db: Awaited<ReturnType<typeof scratchDatabase>>;
let client: pg.Client;

const run = (client: pg.Client, ...statements: Array<{ text: string; values?: unknown[] }>) =>
  client.query(new Pipeline(statements.map((s) => ({ text: s.text, values: s.values ?? [] })))).result;

beforeAll(async () => {
  db = await scratchDatabase('pipeline');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('create table t (id int primary key, note text)');
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('a pipeline of statements', () => {
  it('runs them in one transaction: a transaction-local setting of the first is seen by the last, and gone after it', async () => {
    const rows = await run(client,
      { text: "select set_config('request.probe', $1, true)", values: ['in the pipeline'] },
      { text: "select current_setting('request.probe', true) as probe, txid_current_if_assigned() is null as no_xid" });
    expect(rows).toEqual([{ probe: 'in the pipeline', no_xid: true }]);
    const { rows: after } = await client.query("select coalesce(current_setting('request.probe', true), '') as probe");
    expect(after[0].probe).toBe('');
    expect(client.getTransactionStatus()).toBe('I');
  });

  it('returns the last statement\'s rows, with their types parsed as node-postgres does', async () => {
    const rows = await run(client,
      { text: 'select 1' },
      { text: 'select $1::int + 1 as n, $2::bigint as big, null::text as nothing, true as yes, $3::jsonb as doc', values: [41, '9007199254740993', { a: [1] }] });
    expect(rows).toEqual([{ n: 42, big: '9007199254740993', nothing: null, yes: true, doc: { a: [1] } }]);
  });

  it('commits when every statement succeeds', async () => {
    await run(client, { text: 'select 1' }, { text: 'insert into t values ($1, $2)', values: [1, 'kept'] });
    const { rows } = await client.query('select note from t where id = 1');
    expect(rows).toEqual([{ note: 'kept' }]);
  });

  it('writes nothing when a later statement fails, and reports that statement\'s error', async () => {
    await expect(run(client,
      { text: 'insert into t values ($1, $2)', values: [2, 'rolled back'] },
      { text: 'insert into t values ($1, $2)', values: [1, 'duplicate'] })).rejects.toMatchObject({ code: '23505' });
    const { rows } = await client.query('select count(*)::int as n from t where id = 2');
    expect(rows[0].n).toBe(0);
    expect(client.getTransactionStatus()).toBe('I');
  });

  it('skips the later statements when an earlier one fails, and reports the earlier error', async () => {
    await expect(run(client,
      { text: "select set_config('role', $1, true)", values: ['no_such_role_here'] },
      { text: 'insert into t values ($1, $2)', values: [3, 'never'] })).rejects.toMatchObject({ code: '22023' });
    const { rows } = await client.query('select count(*)::int as n from t where id = 3');
    expect(rows[0].n).toBe(0);
  });

  it('prepares a statement whose execution failed afresh, so the same text succeeds next time', async () => {
    const text = 'select $1::int * 2 as doubled';
    await expect(run(client, { text: 'select 1' }, { text, values: ['not a number'] })).rejects.toMatchObject({ code: '22P02' });
    expect(await run(client, { text: 'select 1' }, { text, values: [21] })).toEqual([{ doubled: 42 }]);
    expect(await run(client, { text: 'select 1' }, { text, values: [5] })).toEqual([{ doubled: 10 }]);
  });

  it('prepares each text once per connection and reuses it', async () => {
    const text = "select 'reused' as probe, $1::int as n";
    for (let i = 0; i < 5; i++) await run(client, { text, values: [i] });
    const { rows } = await client.query('select count(*)::int as n from pg_prepared_statements where statement = $1', [text]);
    expect(rows[0].n).toBe(1);
  });

  it('keeps at most 200 statements prepared on a connection, closing the least recently used', async () => {
    for (let i = 0; i < 260; i++) await run(client, { text: `select ${i} as shape_${i}` });
    const { rows } = await client.query('select count(*)::int as n from pg_prepared_statements');
    expect(rows[0].n).toBeLessThanOrEqual(201);
    // a closed one is prepared again when it comes back
    expect(await run(client, { text: 'select 0 as shape_0' })).toEqual([{ shape_0: 0 }]);
  });

  it('closes evicted statements even when the pipeline that evicted them fails', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (let i = 0; i < 200; i++) await run(c, { text: `select ${i} as filler_${i}` });
      for (let i = 0; i < 20; i++) {
        // a new first statement that fails: everything after it up to the Sync is skipped
        await expect(run(c, { text: `select set_config('role', $1, true) as attempt_${i}`, values: ['no_such_role_here'] }, { text: 'select 1' }))
          .rejects.toMatchObject({ code: '22023' });
      }
      await run(c, { text: 'select 1' });
      const { rows } = await c.query('select count(*)::int as n from pg_prepared_statements');
      expect(rows[0].n).toBeLessThanOrEqual(202);
    } finally {
      await c.end();
    }
  });

  it('refuses a value node-postgres cannot send, and the connection stays usable', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(run(client, { text: 'select $1::jsonb', values: [circular] })).rejects.toThrow(/circular/i);
    expect(await run(client, { text: 'select 7 as seven' })).toEqual([{ seven: 7 }]);
  });
});

describe('queryInRequestScope', () => {
  it('prepares a statement again when its result type changed under it (a column added), as PostgREST retries', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await pool.query('create table changing (id int)');
      await pool.query('insert into changing values (1)');
      const identity = { role: 'postgres', claims: {} };
      const statement = { text: 'select * from changing', values: [] };
      expect(await queryInRequestScope(pool, identity, statement)).toEqual([{ id: 1 }]);
      await pool.query("alter table changing add column note text default 'new'");
      expect(await queryInRequestScope(pool, identity, statement)).toEqual([{ id: 1, note: 'new' }]);
    } finally {
      await pool.end();
    }
  });

  it('prepares a statement again when something deallocated it (DEALLOCATE ALL in a function)', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await pool.query("create function forget_statements() returns int language plpgsql as $$ begin execute 'deallocate all'; return 1; end $$");
      const identity = { role: 'postgres', claims: {} };
      const statement = { text: 'select count(*)::int as n from t where id = $1', values: [1] };
      expect(await queryInRequestScope(pool, identity, statement)).toEqual([{ n: 1 }]);
      expect(await queryInRequestScope(pool, identity, { text: 'select forget_statements() as gone', values: [] })).toEqual([{ gone: 1 }]);
      expect(await queryInRequestScope(pool, identity, statement)).toEqual([{ n: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('runs a read-only request in a read-only transaction', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const identity = { role: 'postgres', claims: {} };
      await expect(queryInRequestScope(pool, identity, { text: 'insert into t values (99, $1)', values: ['nope'] }, { readOnly: true }))
        .rejects.toMatchObject({ code: '25006' });
      expect(await queryInRequestScope(pool, identity, { text: 'insert into t values (99, $1) returning id', values: ['yes'] })).toEqual([{ id: 99 }]);
    } finally {
      await pool.end();
    }
  });
});
