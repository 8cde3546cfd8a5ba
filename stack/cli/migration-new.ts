import { fstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { writeMigration } from '../db/migration-new.js';
import { StackError } from '../errors.js';
import { fail } from './fail.js';

// `npm run migration:new -- <name>`, as `supabase migration new`: an empty timestamped file, or
// what is piped in (`npm run migration:new -- x < change.sql`).
try {
  const args = process.argv.slice(2);
  if (args.length !== 1) throw new StackError('expected exactly one migration name', 'usage: npm run migration:new -- <name>');
  const config = loadConfig();
  const piped = !fstatSync(0).isCharacterDevice() && !fstatSync(0).isSocket();
  const sql = piped ? readFileSync(0, 'utf8') : '';
  const file = writeMigration(path.join(config.supabaseDir, 'migrations'), args[0], sql);
  process.stdout.write(`Created new migration at ${path.relative(process.cwd(), file) || file}\n`);
} catch (err) {
  fail(err);
}
