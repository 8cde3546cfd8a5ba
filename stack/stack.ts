import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer, type RequestListener, type Server } from 'node:http';
import pg from 'pg';
import { postgresEnv } from './config/child-env.js';
import { adminDbUrl, apiUrl, dbUrl, inboxUrl, loadConfig, type ConfigOverrides, type StackConfig } from './config/load.js';
import { bootstrapDatabase, type BootstrapResult } from './db/bootstrap.js';
import { createComponentPools, endComponentPools, type ComponentPools } from './db/component-pools.js';
import { applyRoleSettings, RoleSettings } from './db/role-settings.js';
import { gatewayListener } from './gateway/lane.js';
import { createGateway, type GatewayService } from './gateway/app.js';
import { jwtKeys } from './jwt/keys.js';
import { createServices } from './services.js';
import { StackError } from './errors.js';
import { log } from './log.js';
import { PostgresCluster } from './postgres/cluster.js';
import { survivePoolErrors } from './postgres/pool-errors.js';
import { PostgresSupervisor } from './postgres/supervisor.js';
import { pgBinaries } from './postgres/binaries.js';
import { trustPrivilegedExtensions } from './postgres/extensions.js';
import { assertPortFree } from './postgres/port.js';
import { postgresOsUser } from './postgres/os-user.js';
import { placePgdata } from './postgres/placement.js';

export interface StartOptions extends ConfigOverrides {
  /** Seed a fresh database (default true). */
  seed?: boolean;
  /** Aborting it (Ctrl-C or SIGTERM during start) stops what was started and rejects. */
  signal?: AbortSignal;
  /**
   * Postgres crashed and could not be restarted (the stack is already stopped when this runs).
   * Default: the reason on stderr and exit code 1.
   */
  onDatabaseFailed?: (err: StackError) => void;
}

export interface RunningStack {
  config: StackConfig;
  cluster: PostgresCluster;
  /** Restarts Postgres after a crash. */
  supervisor: PostgresSupervisor;
  /** supabase_admin's pool for the stack's own work (health, admin), never the project's role. */
  adminPool: pg.Pool;
  /** The client-serving components' own pools (see db/component-pools.ts). */
  pools: ComponentPools;
  bootstrap: BootstrapResult;
  freshCluster: boolean;
  urls: { api: string; db: string; inbox: string };
  stop: () => Promise<void>;
}

export function clusterFor(config: StackConfig): PostgresCluster {
  // `create extension` by postgres works as supautils makes it work on Supabase.
  trustPrivilegedExtensions(pgBinaries().extensionDir);
  return new PostgresCluster({
    dataDir: placePgdata(config.dataDir, postgresOsUser()),
    port: config.db.port,
    password: config.db.password,
    logFile: path.join(config.dataDir, 'logs', 'postgres.log'),
    env: postgresEnv(),
  });
}

/** How the request-serving pools reach Postgres: as authenticator, over the Unix socket when there is one. */
export function apiConnection(config: StackConfig, cluster: PostgresCluster): pg.ClientConfig {
  return {
    host: cluster.socketDir ?? '127.0.0.1', port: config.db.port, database: 'postgres', user: 'authenticator', password: config.db.password,
  };
}

function listen(listener: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(listener);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function exitOnDatabaseFailure(err: StackError): void {
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(1);
}

/**
 * Restarts Postgres if it dies; meanwhile the `postgres` component of /health is down. Pools
 * drop their dead connections and open new ones by themselves; components holding a long-lived
 * connection (replication) are told to reconnect at once rather than at their next retry.
 */
function superviseDatabase(cluster: PostgresCluster, services: GatewayService[], onFailed: (err: StackError) => Promise<void>): PostgresSupervisor {
  const supervisor = new PostgresSupervisor(cluster, {
    log,
    reconnect: () => {
      for (const s of services) s.reconnect?.();
    },
    onFailed: (err) => void onFailed(err),
  });
  const database = services.find((s) => s.name === 'postgres');
  const probe = database?.health;
  if (database && probe) {
    database.health = async () => {
      supervisor.assertUp();
      await probe();
    };
  }
  return supervisor;
}

/**
 * Starts everything `npm start` runs: Postgres (initialised on first use), platform SQL,
 * migrations and seed, then the gateway. On any failure what was started is stopped again.
 */
export async function startStack(options: StartOptions = {}): Promise<RunningStack> {
  const config = loadConfig(options);
  await assertPortFree(config.api.port, 'API gateway', 'AGORA_API_PORT');
  mkdirSync(config.dataDir, { recursive: true });
  const cluster = clusterFor(config);
  const cleanups: Array<() => Promise<void>> = [];
  let stopping = false;
  // Connections Postgres ends while we shut down are expected, not worth a warning.
  const poolError = (pool: string) => (err: Error) =>
    stopping ? log.debug({ err }, `${pool} pool connection closed`) : log.warn({ err }, `${pool} pool connection lost`);
  const stop = async () => {
    stopping = true;
    for (const fn of cleanups.reverse()) await fn().catch((err) => log.error({ err }, 'error while stopping'));
    cleanups.length = 0;
  };
  const checkpoint = () => {
    if (options.signal?.aborted) throw new StackError('start interrupted: everything started so far was stopped');
  };
  try {
    const freshCluster = await cluster.init();
    cleanups.push(() => cluster.stop()); // a no-op until Postgres runs
    await cluster.start();
    checkpoint();
    const bootstrap = await bootstrapDatabase(config, { seed: options.seed });
    checkpoint();
    const adminPool = new pg.Pool({ connectionString: adminDbUrl(config), max: 4, application_name: 'agora-admin' });
    adminPool.on('error', poolError('admin'));
    survivePoolErrors(adminPool, log, 'admin');
    cleanups.push(() => adminPool.end());
    // a pool per component, each applying the role settings read here (and reloaded by REST)
    const roleSettings = new RoleSettings(adminPool);
    await roleSettings.reload();
    applyRoleSettings(adminPool, roleSettings);
    const pools = createComponentPools(config, apiConnection(config, cluster), roleSettings, poolError);
    cleanups.push(() => endComponentPools(pools));
    for (const [name, pool] of Object.entries(pools)) survivePoolErrors(pool, log, name);

    const services = await createServices({ config, adminPool, pools, roleSettings, log });
    cleanups.push(async () => {
      for (const s of [...services].reverse()) await s.close?.();
    });
    checkpoint();
    const keys = jwtKeys(config);
    const app = createGateway(services, { keys, serviceKey: config.serviceRoleKey });
    const lanes = services.flatMap((s) => (s.lane ? [s.lane] : []));
    const server = await listen(gatewayListener(app, lanes, { log, keys, hostname: '127.0.0.1' }), config.api.port);
    cleanups.push(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
    for (const s of services) s.attach?.(server);
    const supervisor = superviseDatabase(cluster, services, async (err) => {
      await stop();
      (options.onDatabaseFailed ?? exitOnDatabaseFailure)(err);
    });
    cleanups.push(() => supervisor.close());
    checkpoint();
    const port = (server.address() as AddressInfo).port;
    log.debug({ port }, 'gateway listening');
    return {
      config,
      cluster,
      supervisor,
      adminPool,
      pools,
      bootstrap,
      freshCluster,
      urls: { api: apiUrl(config), db: dbUrl(config), inbox: inboxUrl(config) },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
