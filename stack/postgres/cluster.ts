import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { StackError } from '../errors.js';
import { pgBinaries } from './binaries.js';
import { postgresOsUser, type OsUser } from './os-user.js';
import { assertPortFree } from './port.js';
import { ensureServerCertificate } from './tls.js';

const MAJOR = '17';

export interface ClusterOptions {
  /** PGDATA. */
  dataDir: string;
  port: number;
  /** supabase_admin's password, set by initdb and used to see the server is ready. */
  password: string;
  logFile: string;
  /** The environment Postgres runs with (see config/child-env.ts). */
  env: NodeJS.ProcessEnv;
}

function chownTree(dir: string, user: OsUser): void {
  chownSync(dir, user.uid, user.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, user);
    else chownSync(p, user.uid, user.gid);
  }
}

function tail(file: string, lines = 20): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

/** One Postgres 17 server on loopback, owned by this process. */
export class PostgresCluster {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private stopping = false;
  private lostHandlers: Array<(how: string) => void> = [];
  /** The postmaster that died without being asked to stop, until a new one runs. */
  private crashedPid: number | null = null;
  readonly user = postgresOsUser();

  constructor(readonly options: ClusterOptions) {}

  /**
   * Where Postgres also listens on a Unix socket, for the stack's own pools: cheaper per round
   * trip than TCP on loopback, and only reachable by this user (PGDATA is private: initdb's local
   * `trust` line relies on that). Null when the path would exceed the 107-byte limit of a socket
   * address or holds a list separator; TCP is used then.
   */
  get socketDir(): string | null {
    const socket = path.join(this.options.dataDir, `.s.PGSQL.${this.options.port}`);
    // unix_socket_directories is a list: a folder name with a separator or a quote stays on TCP
    if (/[,"'\s]/.test(this.options.dataDir)) return null;
    return Buffer.byteLength(socket) <= 107 ? this.options.dataDir : null;
  }

  get initialised(): boolean {
    return existsSync(path.join(this.options.dataDir, 'PG_VERSION'));
  }

  private spawnOpts() {
    const bins = pgBinaries();
    return {
      env: { ...this.options.env, LD_LIBRARY_PATH: bins.lib, LC_ALL: 'C.UTF-8' },
      ...(this.user ? { uid: this.user.uid, gid: this.user.gid } : {}),
    };
  }

  private ensureTraversable(dir: string): void {
    // The Postgres user must reach PGDATA through every parent folder.
    if (!this.user) return;
    for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
      const mode = statSync(d).mode;
      if ((mode & 0o001) === 0) {
        throw new StackError(`Postgres runs as ${this.user.name} and cannot enter ${d}: chmod o+x it, or choose another AGORA_DATA_DIR`);
      }
    }
  }

  /**
   * initdb into a temporary folder, then rename: an interrupted first start never leaves a
   * half-made cluster behind. Returns false when the cluster already existed.
   */
  async init(): Promise<boolean> {
    const { dataDir } = this.options;
    if (this.initialised) {
      const version = readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim();
      if (version !== MAJOR) {
        throw new StackError(
          `${dataDir} holds a Postgres ${version} cluster, but this stack runs Postgres ${MAJOR}: move it away (or set AGORA_DATA_DIR) to start fresh`,
        );
      }
      return false;
    }
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new StackError(`${dataDir} exists but is not a Postgres data folder: move it away or set AGORA_DATA_DIR`);
    }
    const parent = path.dirname(dataDir);
    mkdirSync(parent, { recursive: true });
    this.ensureTraversable(`${parent + path.sep}x`);
    const staging = `${dataDir}.init-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { mode: 0o700 });
    const pwdir = mkdtempSync(path.join(os.tmpdir(), 'agora-initdb-'));
    const pwfile = path.join(pwdir, 'pw');
    writeFileSync(pwfile, `${this.options.password}\n`, { mode: 0o600 });
    if (this.user) {
      chownTree(staging, this.user);
      chownTree(pwdir, this.user);
    }
    const bins = pgBinaries();
    const args = [
      // Supabase's bootstrap superuser; `postgres` is made by the platform SQL, not a superuser.
      '-D', staging, '-U', 'supabase_admin', `--pwfile=${pwfile}`,
      '--auth-local=trust', '--auth-host=scram-sha-256',
      '--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--locale=C.UTF-8',
      // A dev cluster: skipping the final fsync saves seconds on a cold start.
      '--no-sync', '--no-instructions',
    ];
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(bins.initdb, args, { ...this.spawnOpts(), stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d) => output.push(String(d)));
      child.stderr.on('data', (d) => output.push(String(d)));
      child.on('error', reject);
      child.on('exit', resolve);
    });
    rmSync(pwdir, { recursive: true, force: true });
    if (code !== 0) {
      rmSync(staging, { recursive: true, force: true });
      const reason = output.join('').split('\n').find((l) => /error|fatal/i.test(l)) ?? `exit code ${code}`;
      throw new StackError(`initdb failed: ${reason.trim()}`);
    }
    renameSync(staging, dataDir);
    return true;
  }

  async start(): Promise<void> {
    const { dataDir, port, logFile } = this.options;
    await assertPortFree(port, 'database', 'AGORA_DB_PORT');
    const pidFile = path.join(dataDir, 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (pid > 0 && isAlive(pid)) {
        throw new StackError(`another Postgres (pid ${pid}) is already running on ${dataDir}: stop it first (is another \`npm start\` running?)`);
      }
    }
    mkdirSync(path.dirname(logFile), { recursive: true });
    if (this.user) chmodSync(dataDir, 0o700);
    await ensureServerCertificate(dataDir, this.user);
    const bins = pgBinaries();
    const settings: Record<string, string> = {
      port: String(port),
      listen_addresses: '127.0.0.1',
      unix_socket_directories: this.socketDir ?? '',
      wal_level: 'logical',
      ssl: 'on',
      max_replication_slots: '20',
      max_wal_senders: '20',
      max_connections: '200',
      logging_collector: 'off',
      log_line_prefix: '%m [%p] %q%a ',
    };
    const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const logStream = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(bins.postgres, args, { ...this.spawnOpts(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(logStream);
    child.stderr!.pipe(logStream);
    this.child = child;
    this.stopping = false;
    let ready = false;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.child = null;
        resolve(code);
        // Only a server that was up and not asked to stop is "lost" (a failed start throws instead).
        if (ready && !this.stopping) {
          this.crashedPid = child.pid ?? null;
          for (const h of this.lostHandlers) h(signal ? `killed by ${signal}` : `exit code ${code}`);
        }
      });
      child.on('error', () => resolve(-1));
    });
    try {
      await this.waitReady(logFile);
      ready = true;
      this.crashedPid = null;
    } catch (err) {
      await this.stop(); // never leave a Postgres behind that we could not use
      throw err;
    }
  }

  private async waitReady(logFile: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    let stopped = false;
    let lastError = '';
    void this.exited.then(() => (stopped = true));
    while (Date.now() < deadline) {
      if (stopped) {
        const fatal = tail(logFile).reverse().find((l) => /FATAL|PANIC|could not/.test(l));
        throw new StackError(`Postgres did not start: ${fatal?.replace(/^.*?(FATAL|PANIC|LOG):\s*/, '') ?? `see ${logFile}`}`);
      }
      const client = new pg.Client({ host: '127.0.0.1', port: this.options.port, user: 'supabase_admin', password: this.options.password, database: 'postgres' });
      try {
        await client.connect();
        await client.query('select 1');
        await client.end();
        return;
      } catch (err) {
        lastError = (err as Error).message;
        await client.end().catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new StackError(`Postgres did not accept connections within 60 s (${lastError || 'no answer'}): see ${logFile}`);
  }

  /** Calls `handler` whenever the running server exits without stop() (crash, kill -9). */
  /**
   * After the postmaster died without shutting down (kill -9, a crash): clears what it left that
   * would keep a new server from starting, as an administrator does after a postmaster crash. Its
   * lock file goes (a recycled PID can make the dead postmaster look alive), and its backends
   * that have not yet noticed it is gone are killed (they keep the shared memory attached, and
   * one busy in a long statement may not notice for a long time). Only processes working in this
   * data folder are touched.
   */
  clearAfterCrash(): void {
    const dead = this.crashedPid;
    if (dead === null || this.child) return;
    const { dataDir } = this.options;
    const pidFile = path.join(dataDir, 'postmaster.pid');
    try {
      if (Number(readFileSync(pidFile, 'utf8').split('\n')[0]) === dead) rmSync(pidFile, { force: true });
    } catch {
      // no lock file left
    }
    for (const pid of orphanedBackends(dataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }

  onLost(handler: (how: string) => void): void {
    this.lostHandlers.push(handler);
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Fast shutdown (SIGINT): ends sessions, checkpoints, exits; SIGQUIT if it hangs. */
  async stop(timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (!child) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGQUIT'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Postgres processes whose working folder is `dataDir` (every backend runs in its data folder). */
function orphanedBackends(dataDir: string): number[] {
  let real: string;
  try {
    real = realpathSync(dataDir);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (readlinkSync(`/proc/${pid}/cwd`) === real) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
