import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { selectGrammarFailures } from './select-grammar.js';
import { adminDb, client, loadFixture, rest } from './support.js';

// PostgREST 13 aggregate functions: docs/references/api/aggregate_functions.rst. They are off
// unless the authenticator has pgrst.db_aggregates_enabled (off on Supabase too); this file turns
// them on for its run (no other file depends on them either way).
beforeAll(loadFixture);
const admin = adminDb();
const db = () => client();

async function setAggregates(on: boolean): Promise<void> {
  await admin().query(on ? `alter role authenticator set pgrst.db_aggregates_enabled = 'true'` : 'alter role authenticator reset pgrst.db_aggregates_enabled');
  await admin().query(`notify pgrst, 'reload config'`);
  for (let i = 0; i < 100; i++) {
    const r = await rest('/orders?select=count()');
    if ((r.status === 200) === on) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`aggregates never became ${on ? 'enabled' : 'disabled'}`);
}

beforeAll(() => setAggregates(true));
afterAll(() => setAggregates(false));

const byDate = <T extends { order_date: string }>(rows: T[]) => [...rows].sort((a, b) => a.order_date.localeCompare(b.order_date));

describe('aggregate functions on columns', () => {
  test('col.sum() sums the column over all rows into one row keyed "sum"', async () => {
    const { data, error } = await db().from('orders').select('amount.sum()');
    expect(error).toBeNull();
    expect(data).toEqual([{ sum: 80.5 }]);
  });

  test('several aggregates at once, renamed with aliases', async () => {
    const { data } = await db().from('orders').select('total_amount:amount.sum(),avg_amount:amount.avg(),total_quantity:quantity.sum(),biggest:amount.max(),smallest:amount.min()');
    expect(data).toEqual([{ total_amount: 80.5, avg_amount: 16.1, total_quantity: 7, biggest: 30, smallest: 5.25 }]);
  });

  test('the other selected columns are the GROUP BY', async () => {
    const { data } = await db().from('orders').select('amount.sum(),amount.avg(),order_date');
    expect(byDate(data as any[])).toEqual([
      { sum: 35.75, avg: 11.916666666666666, order_date: '2024-01-01' },
      { sum: 30, avg: 30, order_date: '2024-01-02' },
      { sum: 14.75, avg: 14.75, order_date: '2024-01-03' },
    ]);
  });

  test('count() counts rows, col.count() counts the non-null values of the column', async () => {
    const { data } = await db().from('orders').select('count(),quantity_count:quantity.count(),order_date');
    expect(byDate(data as any[])).toEqual([
      { count: 3, quantity_count: 3, order_date: '2024-01-01' },
      { count: 1, quantity_count: 0, order_date: '2024-01-02' },
      { count: 1, quantity_count: 1, order_date: '2024-01-03' },
    ]);
  });

  test('filters apply before aggregating', async () => {
    const { data } = await db().from('orders').select('amount.sum(),count()').eq('customer_id', 1);
    expect(data).toEqual([{ sum: 60.5, count: 3 }]);
  });

  test('casting the aggregate (col.avg()::int) and the aggregated JSON value (col->key::numeric.sum())', async () => {
    expect((await rest('/orders?select=amount.avg()::int')).json).toEqual([{ avg: 16 }]);
    expect((await rest('/orders?select=details->tax::numeric.sum()')).json).toEqual([{ sum: 7 }]);
    expect((await rest('/orders?select=n:count()::text')).json).toEqual([{ n: '5' }]);
  });

  test('* next to an aggregate groups by every column', async () => {
    const r = await rest('/customers?select=*,count()&order=id');
    expect(r.json).toEqual([{ id: 1, name: 'Ann', city: 'Oslo', count: 1 }, { id: 2, name: 'Bob', city: 'Rome', count: 1 }, { id: 3, name: 'Cid', city: 'Oslo', count: 1 }]);
  });
});

describe('aggregates and resource embedding', () => {
  test('an aggregate is grouped by an embedded to-one resource', async () => {
    const { data } = await db().from('orders').select('amount.sum(),customers(name)');
    const rows = (data as unknown as Array<{ sum: number; customers: { name: string } }>).sort((a, b) => a.customers.name.localeCompare(b.customers.name));
    expect(rows).toEqual([{ sum: 60.5, customers: { name: 'Ann' } }, { sum: 20, customers: { name: 'Bob' } }]);
  });

  test('aggregates inside an embedded resource aggregate per parent row, grouped by the embed\'s other columns', async () => {
    const r = await rest('/customers?select=name,orders(amount.sum(),order_date)&orders.order=order_date&order=id');
    expect(r.json).toEqual([
      { name: 'Ann', orders: [{ sum: 30.5, order_date: '2024-01-01' }, { sum: 30, order_date: '2024-01-02' }] },
      { name: 'Bob', orders: [{ sum: 5.25, order_date: '2024-01-01' }, { sum: 14.75, order_date: '2024-01-03' }] },
      { name: 'Cid', orders: [] },
    ]);
  });

  test('count() in an embed counts per parent row (an aggregate without GROUP BY is one row, 0 for none), through supabase-js', async () => {
    const { data } = await db().from('customers').select('name, orders(count())').order('id');
    expect(data).toEqual([{ name: 'Ann', orders: [{ count: 3 }] }, { name: 'Bob', orders: [{ count: 2 }] }, { name: 'Cid', orders: [{ count: 0 }] }]);
  });

  test('aggregates in a to-one spread are hoisted to the parent and grouped by its columns', async () => {
    const { data } = await db().from('orders').select('order_date,...customers(id.max(),id.min())');
    expect(byDate(data as any[])).toEqual([
      { order_date: '2024-01-01', max: 2, min: 1 },
      { order_date: '2024-01-02', max: 1, min: 1 },
      { order_date: '2024-01-03', max: 2, min: 2 },
    ]);
  });

  test('a to-one spread\'s columns group an aggregate of the parent', async () => {
    const r = await rest('/orders?select=amount.sum(),...customers(name)');
    expect((r.json as Array<{ name: string }>).sort((a, b) => a.name.localeCompare(b.name))).toEqual([{ sum: 60.5, name: 'Ann' }, { sum: 20, name: 'Bob' }]);
  });

  test('aggregates in a to-many spread are PGRST127, not implemented', async () => {
    const r = await rest('/customers?select=name,...orders(amount.sum())');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ code: 'PGRST127', message: 'Feature not implemented', details: 'Aggregates are not implemented for one-to-many or many-to-many spreads.', hint: null });
  });
});

describe('pgrst.db_aggregates_enabled', () => {
  test('with the setting off, any aggregate is a 400 PGRST123', async () => {
    await setAggregates(false);
    try {
      for (const select of ['count()', 'amount.sum()', 'name,orders(amount.max())', 'order_date,...customers(id.min())']) {
        const table = select.startsWith('name') ? 'customers' : 'orders';
        const r = await rest(`/${table}?select=${select}`);
        expect(r.status, select).toBe(400);
        expect(r.json).toEqual({ code: 'PGRST123', message: 'Use of aggregate functions is not allowed', details: null, hint: null });
      }
      // the legacy count of related rows is no aggregate function
      expect((await rest('/customers?select=name,orders(count)&id=eq.3')).json).toEqual([{ name: 'Cid', orders: [{ count: 0 }] }]);
    } finally {
      await setAggregates(true);
    }
  });
});

test('with aggregates on, no select of the aggregate grammar answers 5xx on any fixture table', async () => {
  expect(await selectGrammarFailures()).toEqual([]);
}, 120_000);
