import type { Logger } from 'pino';
import { StackError } from '../errors.js';
import type { PostgresCluster } from './cluster.js';

export interface SupervisorOptions {
  log: Logger;
  /** After a restart: let every component re-establish what it holds (pools, listeners, replication). */
  reconnect: () => void;
  /** Postgres cannot be brought back: the stack must say so and stop. */
  onFailed: (err: StackError) => void;
  /** How long to keep retrying a start that fails for a passing reason (default 60 s). */
  retryForMs?: number;
}

// What a start right after a crash may hit while the old server's processes are still exiting:
// its backends keep the shared memory block until they notice the postmaster is gone.
const PASSING = /still in use|already running|already in use|shut down|starting up|in recovery/i;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Restarts Postgres when its postmaster exits without being asked to (crash, kill -9): the new
 * server runs crash recovery from the WAL, so every committed transaction is back. The stack
 * reports unhealthy meanwhile. A start that keeps failing for any other reason (a corrupt data
 * folder, say) is final: `onFailed` gets the reason.
 */
export class PostgresSupervisor {
  private state: 'up' | 'restarting' | 'failed' = 'up';
  private closed = false;
  private restarting: Promise<void> | null = null;
  restarts = 0;

  constructor(private readonly cluster: PostgresCluster, private readonly options: SupervisorOptions) {
    cluster.onLost((how) => {
      if (this.closed) return;
      this.restarting = this.restart(how);
    });
  }

  /** For /health: throws while Postgres is being restarted or could not be. */
  assertUp(): void {
    if (this.state === 'restarting') throw new Error('database restarting after a crash');
    if (this.state === 'failed') throw new Error('database could not be restarted');
  }

  get status(): 'up' | 'restarting' | 'failed' {
    return this.state;
  }

  /** Stops supervising (the stack is stopping); waits for a restart under way to settle. */
  async close(): Promise<void> {
    this.closed = true;
    await this.restarting?.catch(() => {});
  }

  private async restart(how: string): Promise<void> {
    const { log } = this.options;
    this.state = 'restarting';
    const started = Date.now();
    const deadline = started + (this.options.retryForMs ?? 60_000);
    log.error({ how }, `Postgres exited unexpectedly (${how}): restarting it`);
    let attempt = 0;
    for (;;) {
      if (this.closed) return;
      attempt++;
      try {
        this.cluster.clearAfterCrash();
        await this.cluster.start();
        break;
      } catch (err) {
        const reason = (err as Error).message;
        if (!PASSING.test(reason) || Date.now() > deadline) {
          this.state = 'failed';
          const failure = new StackError(`Postgres exited (${how}) and could not be restarted: ${reason}`);
          log.fatal({ attempts: attempt }, failure.message);
          this.options.onFailed(failure);
          return;
        }
        log.debug({ attempt, reason }, 'Postgres not restartable yet; retrying');
        await sleep(Math.min(100 * attempt, 1_000));
      }
    }
    if (this.closed) {
      await this.cluster.stop();
      return;
    }
    this.restarts++;
    this.options.reconnect();
    this.state = 'up';
    log.warn({ ms: Date.now() - started, attempts: attempt }, 'Postgres restarted after a crash; crash recovery done');
  }
}
