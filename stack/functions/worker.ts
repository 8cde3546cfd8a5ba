import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { BOOTSTRAP, denoBinary, denoEnv } from './deno.js';

const READY_MARKER = '\u0000agora-worker-listening ';

/** A function's own output line; a JSON object line (a structured log) keeps its fields. */
function logLine(log: Logger, line: string, level: 'info' | 'warn'): void {
  if (line.startsWith('{')) {
    try {
      const fields = JSON.parse(line) as Record<string, unknown>;
      const lvl = fields.level === 'error' ? 'error' : fields.level === 'warn' ? 'warn' : level;
      const { level: _level, message, msg, ...rest } = fields;
      log[lvl](rest, String(message ?? msg ?? fields.event ?? 'function log'));
      return;
    } catch {
      // not JSON after all: logged as text below
    }
  }
  log[level]({ stream: level === 'info' ? 'stdout' : 'stderr' }, line);
}

export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
}

export interface WorkerOptions {
  name: string;
  entry: string;
  /** deno.json(c), or an import map file (`npm:` / `node:` specifiers). */
  configFile: string | null;
  cwd: string;
  env: Record<string, string>;
  bootTimeoutMs: number;
  log: Logger;
}

/**
 * One function in its own Deno process, serving HTTP on a loopback port: a crash or a hang
 * stays inside it, and the host restarts it on the next request.
 */
export class FunctionWorker {
  readonly ready: Promise<number>;
  private child: ChildProcess;
  private exited = false;
  inflight = 0;
  lastUsed = Date.now();
  private exitListeners: Array<() => void> = [];

  constructor(readonly opts: WorkerOptions) {
    const args = ['run', '--quiet', '--no-prompt', '--allow-env', '--allow-net', '--allow-read', '--allow-sys'];
    // deno.json(c) is a Deno config; any other file named by import_map is a plain import map.
    if (opts.configFile) args.push(/\.jsonc?$/.test(opts.configFile) && /deno\.jsonc?$/.test(opts.configFile) ? '--config' : '--import-map', opts.configFile);
    args.push(BOOTSTRAP, opts.entry);
    this.child = spawn(denoBinary(), args, {
      cwd: opts.cwd,
      // What the function is meant to see, plus what Deno needs to reach the npm registry.
      env: { ...denoEnv(), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = opts.log.child({ function: opts.name, pid: this.child.pid });
    const stderrTail: string[] = [];
    this.ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new BootError(`did not start within ${opts.bootTimeoutMs} ms`));
        this.kill();
      }, opts.bootTimeoutMs);
      createInterface({ input: this.child.stdout! }).on('line', (line) => {
        if (line.startsWith(READY_MARKER)) {
          clearTimeout(timer);
          resolve(Number(line.slice(READY_MARKER.length)));
        } else {
          logLine(log, line, 'info');
        }
      });
      createInterface({ input: this.child.stderr! }).on('line', (line) => {
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
        logLine(log, line, 'warn');
      });
      this.child.once('error', (err) => {
        clearTimeout(timer);
        reject(new BootError(err.message));
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.exited = true;
        reject(new BootError(stderrTail.join('\n') || `exited with ${signal ?? code}`));
        for (const fn of this.exitListeners) fn();
        log.debug({ code, signal }, 'function worker exited');
      });
    });
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return !this.exited;
  }

  onExit(fn: () => void): void {
    if (this.exited) fn();
    else this.exitListeners.push(fn);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Whether its event loop still answers (a worker stuck in a loop does not). */
  async responsive(port: number, withinMs = 1000): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/_internal/ping`, { signal: AbortSignal.timeout(withinMs) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }
}
