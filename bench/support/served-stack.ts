// A throwaway stack in a child process of the bench (`<bench> --serve`), so the load generator
// does not share its event loop and its memory and CPU are its own. The child prints the stack's
// facts as one JSON line on stdout and stops when its stdin ends (or on SIGTERM).
import { type ChildProcess, spawn } from 'node:child_process';
import type { TestStack, TestStackInfo } from '../../tests/support/test-stack.js';
import { START_MALLOC_ENV } from './start-env.js';

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
  // `gc` on stdin: a full collection, then `gc done` (see collectGarbage)
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => {
    if (!text.split('\n').some((line) => line.trim() === 'gc')) return;
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write('gc done\n');
  });
  process.stdin.resume();
  return test;
}

/**
 * In the bench: runs `script --serve` (under a V8 CPU profiler when `cpuProfileDir` is set) and
 * waits for its facts line. Its stdout keeps being drained afterwards: a full pipe would stall it.
 */
export function startServedStack<Info>(script: string, cpuProfileDir?: string): Promise<{ child: ChildProcess; info: Info }> {
  const prof = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...prof, '--expose-gc', '--import', 'tsx', script, '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    // quiet logs from the first import on; the allocator as `npm start` sets it
    env: { ...START_MALLOC_ENV, ...process.env, AGORA_LOG_LEVEL: process.env.AGORA_LOG_LEVEL ?? 'error' },
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

/**
 * A full garbage collection in the child, done when this resolves: memory sampled after it is
 * what the child keeps, not garbage waiting for the collector.
 */
export function collectGarbage(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const onData = (d: Buffer) => {
      if (!String(d).includes('gc done')) return;
      child.stdout!.off('data', onData);
      resolve();
    };
    child.stdout!.on('data', onData);
    child.stdin!.write('gc\n');
  });
}

/** Ends the child's stdin and waits for it to stop its stack and exit. */
export async function stopServedStack(child: ChildProcess): Promise<void> {
  child.stdin!.end();
  if (child.exitCode === null) await new Promise((r) => child.on('exit', r));
}
