import net from 'node:net';
import { StackError } from '../errors.js';

/** Fails with one clear line when something already listens on the port we are about to take. */
export async function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new StackError(`port ${port} (${what}) is already in use: stop whatever holds it, or set ${envVar} to another port`)
          : new StackError(`cannot use port ${port} (${what}): ${err.message}`),
      );
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}
