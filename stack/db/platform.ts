import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { runScript } from './sql-script.js';

/**
 * Applies sql/platform/*.sql — what a Supabase database has before its first migration — in
 * name order. The files are idempotent; a file runs again only when its content changed.
 */
export async function applyPlatform(client: pg.ClientBase, platformDir: string, displayRoot: string): Promise<string[]> {
  await client.query('create schema if not exists _agora');
  await client.query('revoke all on schema _agora from public');
  await client.query(
    'create table if not exists _agora.platform_files (name text primary key, checksum text not null, applied_at timestamptz not null default now())',
  );
  const { rows } = await client.query<{ name: string; checksum: string }>('select name, checksum from _agora.platform_files');
  const known = new Map(rows.map((r) => [r.name, r.checksum]));
  const applied: string[] = [];
  for (const name of readdirSync(platformDir).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = readFileSync(path.join(platformDir, name), 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    if (known.get(name) === checksum) continue;
    await client.query('begin');
    try {
      await runScript(client, path.relative(displayRoot, path.join(platformDir, name)), sql);
      await client.query(
        `insert into _agora.platform_files (name, checksum) values ($1, $2)
         on conflict (name) do update set checksum = excluded.checksum, applied_at = now()`,
        [name, checksum],
      );
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw err;
    }
    applied.push(name);
  }
  return applied;
}
