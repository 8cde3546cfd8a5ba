import { performance } from 'node:perf_hooks';
import { startStack } from '../stack.js';
import { unsupportedSettings } from '../config/unsupported.js';
import { listFunctions } from '../functions/config.js';
import { fail } from './fail.js';
import { formatStatusBlock } from './status-block.js';

const started = performance.now();
let stopping = false;
// Signals are handled from the first moment: during start they abort it (startStack stops what
// it had started), afterwards they stop the running stack.
const starting = new AbortController();
let stopRunning: ((signal: string) => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => (stopRunning ? void stopRunning(signal) : starting.abort()));
}

/** The functions served, found as the CLI finds them (a new folder is picked up without a restart). */
function functionsLine(config: Parameters<typeof unsupportedSettings>[0] & { supabaseDir: string }): string {
  const declared = config.raw.functions;
  const names = listFunctions(config.supabaseDir, declared && typeof declared === 'object' ? (declared as Record<string, unknown>) : {}).map((f) => f.name);
  return names.length ? `Functions: ${names.join(', ')}` : '';
}

try {
  const stack = await startStack({ signal: starting.signal });
  const { bootstrap } = stack;
  const ms = Math.round(performance.now() - started);
  const lines = [
    `Started Agora local development setup in ${ms} ms${stack.freshCluster ? ' (new database)' : ''}.`,
    bootstrap.migrations.length ? `Applied migrations: ${bootstrap.migrations.map((m) => `${m.version}_${m.name}`).join(', ')}` : '',
    bootstrap.seeded.length ? `Seeded: ${bootstrap.seeded.join(', ')}` : '',
    functionsLine(stack.config),
    bootstrap.demoLogin ? `Demo login: ${bootstrap.demoLogin.email} / ${bootstrap.demoLogin.password}` : '',
    // config.toml settings `supabase start` would act on and this stack does not: never silent.
    ...unsupportedSettings(stack.config).map((line) => `Not supported locally: ${line}`),
    '',
    formatStatusBlock(stack.config),
    '',
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
  process.stdout.write(`${lines.join('\n')}\n`);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\nStopping (${signal})...\n`);
    await stack.stop();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  stopRunning = shutdown;
} catch (err) {
  fail(err);
}
