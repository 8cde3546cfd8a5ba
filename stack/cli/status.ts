import { loadConfig, apiUrl } from '../config/load.js';
import { fail } from './fail.js';
import { formatStatusEnv } from './status-block.js';

// Like `supabase status -o env`: KEY=value lines; non-zero when the stack is not running.
try {
  const config = loadConfig();
  process.stdout.write(`${formatStatusEnv(config)}\n`);
  const res = await fetch(`${apiUrl(config)}/health`).catch(() => null);
  if (!res) {
    process.stderr.write(`agora is not running on ${apiUrl(config)}: start it with \`npm start\`\n`);
    process.exit(1);
  }
} catch (err) {
  fail(err);
}
