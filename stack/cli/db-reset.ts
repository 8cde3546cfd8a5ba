import net from 'node:net';
import { loadConfig } from '../config/load.js';
import { resetDatabase } from '../db/reset.js';
import { clusterFor } from '../stack.js';
import { fail } from './fail.js';

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

// `npm run db:reset`: against the running stack's Postgres, or a Postgres started just for it.
try {
  const config = loadConfig();
  const cluster = clusterFor(config);
  const ownCluster = !(await listening(config.db.port));
  if (ownCluster) {
    await cluster.init();
    await cluster.start();
  }
  try {
    const result = await resetDatabase(config);
    process.stdout.write(
      `Database reset: ${result.migrations.length} migrations applied${result.seeded.length ? `, seeded from ${result.seeded.join(', ')}` : ''}.\n`,
    );
  } finally {
    if (ownCluster) await cluster.stop();
  }
} catch (err) {
  fail(err);
}
