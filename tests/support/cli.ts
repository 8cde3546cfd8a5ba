import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../stack/config/load.js';


export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts one of the stack's commands (stack/cli/<name>.ts) as a separate process. */
export function spawnCli(name: string, env: Record<string, string>): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'stack', 'cli', `${name}.ts`)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AGORA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: { stdout: string; stderr: string } };
  child.output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (child.output.stdout += d));
  child.stderr!.on('data', (d) => (child.output.stderr += d));
  return child;
}

export function runCli(name: string, env: Record<string, string>): Promise<CliRun> {
  const child = spawnCli(name, env);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, ...child.output })));
}

export async function waitForOutput(child: ReturnType<typeof spawnCli>, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(child.output.stdout)) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${child.output.stderr}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms: ${child.output.stdout}${child.output.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
