// A throwaway stack in a child process of the bench (`<bench> --serve`), so the load generator
// does not share its event loop and its memory and CPU are its own. The child prints the stack's
// facts as one JSON line on stdout and stops when its stdin ends (or on SIGTERM).
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestStack, TestStackInfo } from '../../tests/support/test-stack.js';

/** What the child prints: the test stack's facts, its pid, and whatever the bench adds. */
export type ServedStack<Extra extends object = object> = TestStackInfo & { pid: number } & Extra;

/** In the child: starts the stack, lets `prepare` add to it, prints the facts line; returns the stack. */
export async function serveStack<Extra extends object>(prepare?: (test: TestStack) => Promise<Extra>): Promise<TestStack> {
  process.env.AGORA_LOG_LEVEL ??= 'error';
  const { startTestStack } = await import('../../tests/support/test-stack.js');
  const test = await startTestStack();
  const extra = prepare ? await prepare(test) : ({} as Extra);
  process.stdout.write(`${JSON.stringify({ ...test.info, pid: process.pid, ...extra })}\n`);
  const stop = async () => {
    await test.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  return test;
}

/**
 * In the bench: runs `script --serve` (under a V8 CPU profiler when `cpuProfileDir` is set) and
 * waits for its facts line. Its stdout keeps being drained afterwards: a full pipe would stall it.
 */
export function startServedStack<Info>(script: string, cpuProfileDir?: string): Promise<{ child: ChildProcess; info: Info }> {
  const prof = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', script, '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    // quiet logs from the first import on
    env: { ...process.env, AGORA_LOG_LEVEL: process.env.AGORA_LOG_LEVEL ?? 'error' },
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        resolve({ child, info: JSON.parse(line) as Info });
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** Ends the child's stdin and waits for it to stop its stack and exit. */
export async function stopServedStack(child: ChildProcess): Promise<void> {
  child.stdin!.end();
  if (child.exitCode === null) await new Promise((r) => child.on('exit', r));
}
