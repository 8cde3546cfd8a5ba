// A throwaway stack in a forked child of the bench, talked to over IPC: the bench asks it for its
// memory (after garbage collection) and tells it to stop. The child is the bench's own script
// started again with BENCH_ROLE=stack; its memory is the stack's alone.
import { type ChildProcess, fork } from 'node:child_process';
import type { TestStackInfo } from '../../tests/support/test-stack.js';

export interface StackMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** Whether this process is the forked stack (then call `serveForkedStack()` before anything else). */
export const isForkedStack = () => process.env.BENCH_ROLE === 'stack';

/** In the child: starts the stack, answers `memory` and `stop`, and never returns. */
export async function serveForkedStack(): Promise<never> {
  const { startTestStack } = await import('../../tests/support/test-stack.js');
  const test = await startTestStack();
  const memory = async (): Promise<StackMemory> => {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((r) => setTimeout(r, 50));
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external };
  };
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'memory') process.send!({ type: 'memory', value: await memory() });
    if (msg.type === 'stop') {
      await test.stop();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', value: test.info });
  return new Promise<never>(() => {});
}

/** `node --cpu-prof[-dir=…]` given to a bench is passed on to the processes it forks, to profile the servers. */
export const profilerFlags = () => process.execArgv.filter((a) => a.startsWith('--cpu-prof'));

/** In the bench: forks `script` as the stack (with `env` added, logs at error, GC exposed) and waits until it is up. */
export function forkStack(script: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; info: TestStackInfo }> {
  const child = fork(script, [], {
    env: { ...process.env, BENCH_ROLE: 'stack', AGORA_LOG_LEVEL: 'error', ...env },
    execArgv: ['--import', 'tsx', '--expose-gc', ...profilerFlags()],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`stack process exited (${code})`)));
    child.on('message', (m: { type: string; value: TestStackInfo }) => m.type === 'ready' && resolve({ child, info: m.value }));
  });
}

/** Sends `type` (with `extra`) to the child and resolves with its answer of the same type. */
export function ask<T>(child: ChildProcess, type: string, extra: Record<string, unknown> = {}): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string; value: T }) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m.value);
    };
    child.on('message', onMessage);
    child.send({ type, ...extra });
  });
}

export const stackMemory = (child: ChildProcess) => ask<StackMemory>(child, 'memory');

/** Tells the child to stop its stack and waits for it to exit. */
export async function stopForkedStack(child: ChildProcess): Promise<void> {
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
}
