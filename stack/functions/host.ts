import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FunctionSpec, FunctionsSettings } from './config.js';
import { FunctionWorker } from './worker.js';

async function fingerprint(target: string, out: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(target, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(target, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && !e.name.startsWith('.')) await fingerprint(p, out);
    } else {
      const s = await stat(p).catch(() => null);
      if (s) out.push(`${p}:${s.size}:${s.mtimeMs}`);
    }
  }
}

interface Slot {
  worker: FunctionWorker;
  signature: string;
}

/**
 * Keeps one Deno worker per function: started on first use, replaced when the function's files
 * (or `_shared/`, or deno.json) change, restarted after a crash, stopped when idle.
 */
export class FunctionsHost {
  private slots = new Map<string, Slot>();
  private starting = new Map<string, Promise<Slot>>();
  private reaper: NodeJS.Timeout;

  constructor(readonly settings: FunctionsSettings, private log: Logger) {
    this.reaper = setInterval(() => this.reapIdle(), Math.min(60_000, settings.idleTimeoutMs)).unref();
    // Deno children must not outlive the stack, however it ends.
    process.once('exit', this.killAll);
  }

  private killAll = () => {
    for (const slot of this.slots.values()) slot.worker.kill();
  };

  /** The function as found now (folders and config.toml are read on every call, like a reload). */
  find(name: string): FunctionSpec | null {
    return this.settings.find(name);
  }

  /** What a change of invalidates the worker: the entrypoint's folder, the shared code beside it, the import map. */
  private async signature(fn: FunctionSpec): Promise<string> {
    const parts: string[] = [JSON.stringify(fn)];
    const entryDir = path.dirname(fn.entrypoint);
    await fingerprint(entryDir, parts);
    await fingerprint(path.join(path.dirname(entryDir), '_shared'), parts);
    if (fn.importMap) {
      const s = await stat(fn.importMap).catch(() => null);
      if (s) parts.push(`${fn.importMap}:${s.size}:${s.mtimeMs}`);
    }
    return parts.sort().join('|');
  }

  /** A running worker for the current code of `fn` (starting or replacing one if needed). */
  async acquire(fn: FunctionSpec): Promise<{ worker: FunctionWorker; port: number }> {
    const name = fn.name;
    const signature = await this.signature(fn);
    let slot = this.slots.get(name);
    if (!slot?.worker.alive || slot.signature !== signature) {
      let pending = this.starting.get(name);
      if (!pending) {
        pending = this.start(fn, signature, slot);
        this.starting.set(name, pending);
        pending.finally(() => this.starting.delete(name)).catch(() => undefined);
      }
      slot = await pending;
    }
    slot.worker.lastUsed = Date.now();
    return { worker: slot.worker, port: await slot.worker.ready };
  }

  private async start(fn: FunctionSpec, signature: string, previous: Slot | undefined): Promise<Slot> {
    const name = fn.name;
    if (previous) this.retire(previous.worker);
    const worker = new FunctionWorker({
      name,
      entry: fn.entrypoint,
      configFile: fn.importMap,
      cwd: path.dirname(fn.entrypoint),
      env: this.settings.env,
      bootTimeoutMs: this.settings.bootTimeoutMs,
      log: this.log,
    });
    const slot = { worker, signature };
    this.slots.set(name, slot);
    worker.onExit(() => {
      if (this.slots.get(name)?.worker === worker) this.slots.delete(name);
    });
    await worker.ready.catch(() => undefined);
    return slot;
  }

  /** Stops a replaced worker once the requests it is serving are done. */
  private retire(worker: FunctionWorker): void {
    if (worker.inflight === 0) {
      worker.kill();
      return;
    }
    const check = setInterval(() => {
      if (worker.inflight === 0 || !worker.alive) {
        clearInterval(check);
        worker.kill();
      }
    }, 100);
    check.unref();
  }

  /** Drops a worker that hung or died, so the next request starts a fresh one. */
  discard(name: string, worker: FunctionWorker): void {
    if (this.slots.get(name)?.worker === worker) this.slots.delete(name);
    worker.kill();
  }

  private reapIdle(): void {
    const now = Date.now();
    for (const [name, slot] of this.slots) {
      if (slot.worker.inflight === 0 && now - slot.worker.lastUsed > this.settings.idleTimeoutMs) {
        this.log.debug({ function: name }, 'stopping idle function worker');
        this.discard(name, slot.worker);
      }
    }
  }

  /** Running workers, by function name (for health and tests). */
  running(): string[] {
    return [...this.slots.entries()].filter(([, s]) => s.worker.alive).map(([n]) => n);
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    process.off('exit', this.killAll);
    this.killAll();
    this.slots.clear();
  }
}
