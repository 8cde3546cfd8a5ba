import type pg from 'pg';
import type { Logger } from 'pino';

/**
 * A pool's connections report a lost server (crash, restart, terminated backend) as an 'error'
 * event; node-postgres only listens for it while a connection is idle in the pool. One lost
 * while checked out between two queries would be an uncaught exception that ends the whole
 * stack: every connection gets its own listener for its whole life. The query in flight, if
 * any, still fails with the error, and the pool drops the connection when it is released.
 */
export function survivePoolErrors(pool: pg.Pool, log: Logger, name: string): void {
  pool.on('connect', (client) => {
    client.on('error', (err) => log.debug({ err }, `${name} pool connection lost while in use`));
  });
}
