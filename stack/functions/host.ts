import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FunctionsSettings } from './config.js';
import { FunctionWorker } from './worker.js';

// A function is a folder `functions/<name>/` with an index.ts; `_shared` and dot-folders are not.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

async function fingerprint(target: string, out: string[]): Promise<void> {
  let entries;
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

  /** Whether `functions/<name>/index.ts` exists and is enabled. */
  exists(name: string): boolean {
    return NAME.test(name) && this.settings.enabled(name) && existsSync(path.join(this.settings.dir, name, 'index.ts'));
  }

  private async signature(name: string): Promise<string> {
    const parts: string[] = [];
    await fingerprint(path.join(this.settings.dir, name), parts);
    await fingerprint(path.join(this.settings.dir, '_shared'), parts);
    for (const f of ['deno.json', 'deno.jsonc', 'import_map.json', '.env']) {
      const s = await stat(path.join(this.settings.dir, f)).catch(() => null);
      if (s) parts.push(`${f}:${s.size}:${s.mtimeMs}`);
    }
    return parts.sort().join('|');
  }

  private configFile(name: string): string | null {
    for (const f of [path.join(this.settings.dir, name, 'deno.json'), path.join(this.settings.dir, 'deno.json')]) {
      if (existsSync(f)) return f;
    }
    return null;
  }

  /** A running worker for the current code of `name` (starting or replacing one if needed). */
  async acquire(name: string): Promise<{ worker: FunctionWorker; port: number }> {
    const signature = await this.signature(name);
    let slot = this.slots.get(name);
    if (!slot || !slot.worker.alive || slot.signature !== signature) {
      let pending = this.starting.get(name);
      if (!pending) {
        pending = this.start(name, signature, slot);
        this.starting.set(name, pending);
        pending.finally(() => this.starting.delete(name)).catch(() => undefined);
      }
      slot = await pending;
    }
    slot.worker.lastUsed = Date.now();
    return { worker: slot.worker, port: await slot.worker.ready };
  }

  private async start(name: string, signature: string, previous: Slot | undefined): Promise<Slot> {
    if (previous) this.retire(previous.worker);
    const worker = new FunctionWorker({
      name,
      entry: path.join(this.settings.dir, name, 'index.ts'),
      configFile: this.configFile(name),
      cwd: path.join(this.settings.dir, name),
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
    if (worker.inflight === 0) return worker.kill();
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
