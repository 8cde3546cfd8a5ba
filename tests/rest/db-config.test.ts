import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ApiError } from '../../stack/rest/errors.js';
import { DbConfigError, dbConfigFrom, transactionEnd } from '../../stack/rest/db-config.js';
import { adminDb, loadFixture, rest } from './support.js';

// PostgREST's in-database configuration: docs/references/configuration.rst, "In-Database
// Configuration" — pgrst.* settings of the authenticator role, reloaded on NOTIFY pgrst, 'reload config'.
const base = { maxRows: null, extraSearchPath: ['public', 'extensions'] };
const from = (settings: Record<string, string>) => dbConfigFrom(new Map(Object.entries(settings)), base);

describe('reading the settings', () => {
  test('unset keys take PostgREST\'s defaults (aggregates and plans off, commit) and config.toml\'s values', () => {
    expect(from({})).toEqual({
      aggregatesEnabled: false, planEnabled: false, maxRows: null, txEnd: { rollback: false, allowOverride: false },
      preRequest: null, extraSearchPath: ['public', 'extensions'],
    });
  });

  test('booleans read as PostgREST reads them: the letters true/false in any case, or a number', () => {
    for (const v of ['true', 'TRUE', 'True', '"true"', '1', '7']) expect(from({ db_aggregates_enabled: v }).aggregatesEnabled, v).toBe(true);
    for (const v of ['false', 'FALSE', '0']) expect(from({ db_plan_enabled: v }).planEnabled, v).toBe(false);
    expect(() => from({ db_aggregates_enabled: 'maybe' })).toThrow(DbConfigError);
  });

  test('db_max_rows, db_pre_request and db_extra_search_path replace config.toml\'s; an empty value is unset', () => {
    const c = from({ db_max_rows: '25', db_pre_request: 'api.check', db_extra_search_path: 'public, ext ,x' });
    expect(c).toMatchObject({ maxRows: 25, preRequest: 'api.check', extraSearchPath: ['public', 'ext', 'x'] });
    expect(from({ db_max_rows: '', db_pre_request: ' ' })).toMatchObject({ maxRows: null, preRequest: null });
    expect(() => from({ db_max_rows: 'lots' })).toThrow(DbConfigError);
  });

  test('db_tx_end takes commit, commit-allow-override, rollback and rollback-allow-override only', () => {
    expect(from({ db_tx_end: 'commit-allow-override' }).txEnd).toEqual({ rollback: false, allowOverride: true });
    expect(from({ db_tx_end: 'rollback' }).txEnd).toEqual({ rollback: true, allowOverride: false });
    expect(from({ db_tx_end: 'rollback-allow-override' }).txEnd).toEqual({ rollback: true, allowOverride: true });
    expect(() => from({ db_tx_end: 'sometimes' })).toThrow(DbConfigError);
  });
});

describe('db_tx_end and Prefer: tx', () => {
  test('with commit (the default) Prefer: tx is not applied, and refused with handling=strict as PGRST122', () => {
    const prefer: { tx?: 'commit' | 'rollback'; handling?: 'strict' | 'lenient' } = { tx: 'rollback' };
    expect(transactionEnd(from({}), prefer)).toBe('commit');
    expect(prefer.tx).toBeUndefined();
    try {
      transactionEnd(from({}), { tx: 'rollback', handling: 'strict' });
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).body()).toEqual({ code: 'PGRST122', message: 'Invalid preferences given with handling=strict', details: 'Invalid preferences: tx=rollback', hint: null });
    }
  });

  test('-allow-override lets Prefer: tx choose; rollback ends every other transaction in a rollback', () => {
    expect(transactionEnd(from({ db_tx_end: 'commit-allow-override' }), { tx: 'rollback' })).toBe('rollback');
    expect(transactionEnd(from({ db_tx_end: 'rollback' }), {})).toBe('rollback');
    expect(transactionEnd(from({ db_tx_end: 'rollback' }), { tx: 'commit' })).toBe('rollback');
    expect(transactionEnd(from({ db_tx_end: 'rollback-allow-override' }), { tx: 'commit' })).toBe('commit');
  });
});

beforeAll(loadFixture);
const admin = adminDb();

describe('the settings of the authenticator role in the database', () => {
  // two schemas with a marker() each; only the request's search_path decides which one answers
  beforeAll(async () => {
    for (const s of ['a', 'b']) {
      await admin().query(`create schema if not exists rest_cfg_${s}`);
      await admin().query(`create or replace function rest_cfg_${s}.marker() returns text language sql immutable as $$ select '${s}' $$`);
      await admin().query(`grant usage on schema rest_cfg_${s} to anon, authenticated, service_role`);
    }
    await admin().query(`create or replace function rest_test.search_marker() returns text language plpgsql stable as $$ begin return marker(); end $$`);
    await admin().query('grant execute on function rest_test.search_marker() to anon');
  });
  afterAll(async () => {
    await admin().query('alter role authenticator reset pgrst.db_extra_search_path');
    await admin().query('select format($$alter role authenticator in database %I reset pgrst.db_extra_search_path$$, current_database())')
      .then(async ({ rows }) => admin().query(Object.values(rows[0])[0] as string));
    await admin().query(`notify pgrst, 'reload config'`);
    await admin().query('drop schema rest_cfg_a, rest_cfg_b cascade');
  });

  const markerBecomes = async (expected: string) => {
    let last: unknown;
    for (let i = 0; i < 100; i++) {
      const r = await rest('/rpc/search_marker', { method: 'POST', body: '{}' });
      last = r.json;
      if (r.status === 200 && r.json === expected) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`the marker stayed ${JSON.stringify(last)}, expected ${expected}`);
  };
  const inDatabase = async (sql: string) => {
    const { rows } = await admin().query('select current_database() as d');
    await admin().query(`alter role authenticator in database "${rows[0].d}" ${sql}`);
  };

  test('read on NOTIFY pgrst, \'reload config\'; a setting for this database wins over one for all databases', async () => {
    await admin().query(`alter role authenticator set pgrst.db_extra_search_path = 'public, extensions, rest_cfg_a'`);
    await admin().query(`notify pgrst, 'reload config'`);
    await markerBecomes('a');
    await inDatabase(`set pgrst.db_extra_search_path = 'public, extensions, rest_cfg_b'`);
    await admin().query(`notify pgrst, 'reload config'`);
    await markerBecomes('b');
    await inDatabase('reset pgrst.db_extra_search_path');
    await admin().query(`notify pgrst, 'reload config'`);
    await markerBecomes('a');
  });
});
