import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const stack = () => inject('stack');

/** A fresh, empty database in the test cluster, dropped by the returned cleanup. */
export async function scratchDatabase(prefix = 'scratch'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const info = stack();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: info.dbUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    name,
    url: info.dbUrl.replace(/\/postgres$/, `/${name}`),
    drop: async () => {
      const c = new pg.Client({ connectionString: info.dbUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
