import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithRequestContext } from '../../stack/db/request-id.js';
import { transaction } from '../../stack/db/transaction.js';
import { log } from '../../stack/log.js';
import { survivePoolErrors } from '../../stack/postgres/pool-errors.js';
import { scratchDatabase } from '../support/env.js';

// Every component's transactions: committed or rolled back whole, tagged with the request id,
// and a connection lost inside one is closed rather than handed to the next caller.

let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  db = await scratchDatabase('transaction');
  pool = new pg.Pool({ connectionString: db.url, max: 1, application_name: 'tx-test' });
  // as the stack's pools: a connection lost while checked out is reported, not thrown (the test loses one)
  survivePoolErrors(pool, log, 'tx-test');
  await pool.query('create table t (id int primary key)');
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const count = async () => (await pool.query<{ n: number }>('select count(*)::int as n from t')).rows[0].n;

describe('a transaction', () => {
  it('commits what fn wrote when it returns, and returns its result', async () => {
    await pool.query('truncate t');
    const result = await transaction(pool, async (tx) => (await tx.query('insert into t values (1), (2) returning id')).rowCount);
    expect(result).toBe(2);
    expect(await count()).toBe(2);
  });

  it('rolls everything back when fn throws, and rethrows its error', async () => {
    await pool.query('truncate t');
    const failure = transaction(pool, async (tx) => {
      await tx.query('insert into t values (1)');
      await tx.query('insert into t values (1)'); // duplicate key
    });
    await expect(failure).rejects.toMatchObject({ code: '23505' });
    expect(await count()).toBe(0);
  });

  it('rolls back on request (a dry run) and refuses writes when read-only', async () => {
    await pool.query('truncate t');
    await transaction(pool, (tx) => tx.query('insert into t values (1)'), { rollback: true });
    expect(await count()).toBe(0);
    await expect(transaction(pool, (tx) => tx.query('insert into t values (1)'), { readOnly: true })).rejects.toMatchObject({ code: '25006' });
  });

  it('is tagged with the request id, and only that transaction is', async () => {
    const probe = `select current_setting('application_name') as app, coalesce(current_setting('request.id', true), '') as id`;
    const inside = await runWithRequestContext({ requestId: "req-'quoted'\\1" }, () => transaction(pool, async (tx) => (await tx.query(probe)).rows[0]));
    expect(inside).toEqual({ app: "agora req-'quoted'\\1", id: "req-'quoted'\\1" });
    const after = (await pool.query(probe)).rows[0];
    expect(after).toEqual({ app: 'tx-test', id: '' });
    // outside a request nothing is set: the pool's own name stays
    expect(await transaction(pool, async (tx) => (await tx.query(probe)).rows[0])).toEqual({ app: 'tx-test', id: '' });
  });

  it('sets further settings transaction-locally, after the tag', async () => {
    const got = await runWithRequestContext({ requestId: 'r1' }, () =>
      transaction(pool, async (tx) => (await tx.query(`select current_setting('request.probe') as p, current_setting('application_name') as app`)).rows[0], {
        settings: { 'request.probe': 'x', application_name: 'mine' },
      }));
    expect(got).toEqual({ p: 'x', app: 'mine' });
  });

  it('closes a connection lost inside it instead of returning it to the pool', async () => {
    const pidOf = async (c: pg.ClientBase) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    const before = await transaction(pool, pidOf);
    const lost = transaction(pool, async (tx) => {
      await tx.query('select pg_terminate_backend(pg_backend_pid())');
    });
    await expect(lost).rejects.toThrow();
    expect(pool.totalCount).toBe(0);
    // the next caller gets a fresh, working connection
    const after = await transaction(pool, pidOf);
    expect(after).not.toBe(before);
    expect(await count()).toBeGreaterThanOrEqual(0);
  });
});
