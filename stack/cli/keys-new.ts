import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { generateSigningKey, readSigningKeys, type SigningAlgorithm } from '../config/signing-keys.js';
import { StackError } from '../errors.js';
import { fail } from './fail.js';

// `npm run keys:new`, as `supabase gen signing-key` (supabase/cli internal/gen/signingkeys): a new
// private JWK, ES256 unless `--algorithm RS256`. With `[auth] signing_keys_path` set it replaces
// the file's keys (`--yes`) or is appended after them (`--append`, the first key still signs),
// written 0600; without the setting it is printed, with how to enable it.
try {
  const { values } = parseArgs({
    options: {
      algorithm: { type: 'string', default: 'ES256' },
      append: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
    },
  });
  const alg = values.algorithm.toUpperCase();
  if (alg !== 'ES256' && alg !== 'RS256') throw new StackError(`unsupported algorithm ${JSON.stringify(values.algorithm)}: use ES256 or RS256`);
  const key = generateSigningKey(alg as SigningAlgorithm);
  // the key file itself may not exist yet: it is what this command writes
  const config = loadConfig({}, process.env, { readSigningKeys: false });
  const auth = (config.raw.auth ?? {}) as Record<string, unknown>;
  const setting = typeof auth.signing_keys_path === 'string' ? auth.signing_keys_path : '';
  if (!setting) {
    process.stdout.write(`${JSON.stringify(key)}\n`);
    process.stderr.write(
      `\nTo sign with it, save it as a one-key array in ${path.join(path.relative(process.cwd(), config.supabaseDir) || '.', 'signing_keys.json')}\n` +
        `and set in supabase/config.toml:\n\n[auth]\nsigning_keys_path = "./signing_keys.json"\n`,
    );
  } else {
    const file = path.resolve(config.supabaseDir, setting);
    const exists = existsSync(file) && readFileSync(file, 'utf8').trim() !== '';
    if (exists && !values.append && !values.yes) {
      throw new StackError(`${path.relative(process.cwd(), file)} already holds keys: pass --append to add the new key after them, or --yes to replace them`);
    }
    const keys = exists && values.append ? [...readSigningKeys(file), key] : [key];
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    process.stderr.write(`JWT signing key written to ${path.relative(process.cwd(), file)} (now ${keys.length} key${keys.length === 1 ? '' : 's'}; the first signs).\nKeep this file out of version control.\n`);
  }
} catch (err) {
  fail(err);
}
