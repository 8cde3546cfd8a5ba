import type pg from 'pg';

// Many statements in one round trip, for the change pipeline's RLS checks.

/** Runs several statements in one round trip (simple query protocol) on one pooled connection. */
export async function runStatements(pool: pg.Pool, statements: string[]): Promise<pg.QueryResult[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    const result = (await client.query(statements.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
    return Array.isArray(result) ? result : [result];
  } catch (err) {
    await client.query('rollback').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
