// npm run bench:startup — cold start (empty data dir) and warm start of `npm start`'s stack,
// its idle memory, and a baseline: a bare Postgres started on the same machine in the same run.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import getPort from 'get-port';
import { postgresEnv } from '../stack/config/child-env.js';
import { loadConfig, PROJECT_ROOT } from '../stack/config/load.js';
import { PostgresCluster } from '../stack/postgres/cluster.js';
import { treeMemory } from './support/proc.js';

const WARM_RUNS = 3;

async function waitHealthy(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}`);
    const res = await fetch(url).catch(() => null);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startOnce(env: Record<string, string>, measureMemory: boolean) {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'stack', 'cli', 'start.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, AGORA_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  await waitHealthy(`http://127.0.0.1:${env.AGORA_API_PORT}/health`, child);
  const ms = performance.now() - started;
  let memory: ReturnType<typeof treeMemory> | undefined;
  if (measureMemory) {
    await new Promise((r) => setTimeout(r, 3000)); // let it settle to idle
    memory = treeMemory(child.pid!);
  }
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { ms, memory };
}

async function barePostgresStart(dir: string): Promise<number> {
  const cluster = new PostgresCluster({ dataDir: path.join(dir, 'pg'), port: await getPort(), password: loadConfig().db.password, logFile: path.join(dir, 'pg.log'), env: postgresEnv() });
  await cluster.init();
  await cluster.start();
  await cluster.stop();
  const started = performance.now();
  await cluster.start();
  const ms = performance.now() - started;
  await cluster.stop();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'agora-bench-startup-'));
chmodSync(dir, 0o755);
try {
  const env = {
    AGORA_DATA_DIR: path.join(dir, 'data'),
    AGORA_API_PORT: String(await getPort()),
    AGORA_DB_PORT: String(await getPort()),
    AGORA_INBOX_PORT: String(await getPort()),
    AGORA_SMTP_PORT: String(await getPort()),
  };
  const cold = await startOnce(env, false);
  const warm: number[] = [];
  let memory: ReturnType<typeof treeMemory> | undefined;
  for (let i = 0; i < WARM_RUNS; i++) {
    const run = await startOnce(env, i === WARM_RUNS - 1);
    warm.push(run.ms);
    memory = run.memory ?? memory;
  }
  const bare = await barePostgresStart(path.join(dir, 'bare'));
  const warmMs = median(warm);
  console.log('startup (time until GET /health answers 200)');
  console.log(`  cold start (empty data dir):  ${fmt(cold.ms)}   goal < 10 s  (${(cold.ms / 10_000).toFixed(2)} of goal)`);
  console.log(`  warm start (median of ${WARM_RUNS}):     ${fmt(warmMs)}   goal < 3 s   (${(warmMs / 3000).toFixed(2)} of goal)`);
  console.log(`  baseline: bare Postgres start ${fmt(bare)}; warm start / baseline = ${(warmMs / bare).toFixed(1)}x`);
  if (memory) {
    console.log(`idle memory of the whole stack (${memory.processes} processes)`);
    console.log(`  RSS ${memory.rssMb.toFixed(0)} MB (shared pages counted in every process), PSS ${memory.pssMb.toFixed(0)} MB   goal < 300 MB (${(memory.rssMb / 300).toFixed(2)} of goal by RSS)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
