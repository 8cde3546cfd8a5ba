import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { StackConfig } from '../config/load.js';
import { dbUrl } from '../config/load.js';
import { bootstrapDatabase } from './bootstrap.js';
import { diffDatabases } from './diff.js';
import { runScript } from './sql-script.js';

export interface SchemaDiffOptions {
  /** The database whose schema the migrations should reach (default: the dev database). */
  targetUrl?: string;
  /** Declarative schema files: when given, they are the target instead of a database. */
  declared?: string[];
  progress?: (line: string) => void;
}

async function withAdmin<T>(config: StackConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: dbUrl(config), application_name: 'agora-diff' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const dropScratch = (config: StackConfig, name: string) =>
  withAdmin(config, (c) => c.query(`drop database if exists ${name} with (force)`));

// Scratch databases that exist right now, for dropScratchDatabases on an interrupt.
const open = new Map<string, StackConfig>();

/** A scratch database in the stack's cluster, dropped (even on failure) once `fn` is done. */
async function withScratchDatabase<T>(config: StackConfig, label: string, fn: (name: string) => Promise<T>): Promise<T> {
  const name = `agora_${label}_${randomBytes(4).toString('hex')}`;
  open.set(name, config);
  await withAdmin(config, (c) => c.query(`create database ${name}`));
  try {
    return await fn(name);
  } finally {
    await dropScratch(config, name);
    open.delete(name);
  }
}

/** Drops the shadow databases of a diff still under way (Ctrl-C), so none is left behind. */
export async function dropScratchDatabases(): Promise<void> {
  for (const [name, config] of open) await dropScratch(config, name).catch(() => {});
  open.clear();
}

/** Platform SQL only: a bootstrap of an empty migrations folder. */
async function bootstrapPlatformOnly(config: StackConfig, database: string): Promise<void> {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'agora-diff-'));
  try {
    await bootstrapDatabase({ ...config, supabaseDir: empty }, { database, seed: false });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

async function applyFiles(url: string, files: string[], displayRoot: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'agora-diff' });
  await client.connect();
  try {
    await client.query("set client_min_messages = 'warning'");
    for (const file of files) {
      await client.query('begin');
      try {
        await runScript(client, path.relative(displayRoot, file), readFileSync(file, 'utf8'));
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * `supabase db diff` without Docker: a shadow database in the stack's own cluster gets the
 * platform SQL and every migration; the statements returned turn it into the target (the dev
 * database, or a second shadow built from the declarative schema files). Both shadows are dropped.
 */
export async function diffAgainstMigrations(config: StackConfig, options: SchemaDiffOptions = {}): Promise<string[]> {
  const say = options.progress ?? (() => {});
  return withScratchDatabase(config, 'shadow', async (shadow) => {
    say('Creating shadow database from supabase/migrations...');
    await bootstrapDatabase(config, { database: shadow, seed: false });
    if (options.declared?.length) {
      return withScratchDatabase(config, 'declared', async (declared) => {
        say(`Creating a database from the declarative schemas:\n${options.declared!.map((f) => ` • ${path.relative(config.rootDir, f)}`).join('\n')}`);
        await bootstrapPlatformOnly(config, declared);
        await applyFiles(dbUrl(config, declared), options.declared!, config.rootDir);
        say('Diffing schemas...');
        return diffDatabases(dbUrl(config, shadow), dbUrl(config, declared));
      });
    }
    say('Diffing schemas...');
    return diffDatabases(dbUrl(config, shadow), options.targetUrl ?? dbUrl(config));
  });
}
