import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { StackError } from '../errors.js';
import { createInboxApp } from './api.js';
import { startSmtpServer } from './smtp.js';
import { MessageStore } from './store.js';

/** The SMTP port a stack whose config names none listens on (Supabase's default smtp_port). */
export const DEFAULT_SMTP_PORT = 54325;

export interface Inbox extends GatewayService {
  store: MessageStore;
  smtpPort: number;
  httpPort: number;
}

function listenHttp(app: ReturnType<typeof createInboxApp>, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(server));
    server.once('error', reject);
  });
}

function reachable(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
    socket.setTimeout(1000, () => {
      socket.destroy();
      reject(new Error(`port ${port} did not answer`));
    });
  });
}

function inUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
}

/**
 * The local mail inbox: a real SMTP server and Mailpit's HTTP API + web page on the inbox port.
 * When config.toml names no smtp_port (Supabase then keeps SMTP inside its network) the default
 * 54325 is used if free, else any free port, so parallel stacks never collide.
 */
export async function createInbox(ctx: Pick<ServiceContext, 'config' | 'log'>): Promise<Inbox> {
  const { config, log } = ctx;
  const store = new MessageStore();
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const wanted = config.inbox.smtpPort;
  try {
    smtp = await startSmtpServer(store, wanted ?? DEFAULT_SMTP_PORT, log);
  } catch (err) {
    if (!inUse(err)) throw err;
    if (wanted !== null) {
      throw new StackError(`inbox SMTP port ${wanted} is already in use`, 'set [local_smtp] smtp_port in supabase/config.toml or AGORA_SMTP_PORT to a free port');
    }
    smtp = await startSmtpServer(store, 0, log);
  }
  let http: ServerType;
  try {
    http = await listenHttp(createInboxApp(store), config.inbox.port);
  } catch (err) {
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    if (inUse(err)) {
      throw new StackError(`inbox port ${config.inbox.port} is already in use`, 'set [local_smtp] port in supabase/config.toml or AGORA_INBOX_PORT to a free port');
    }
    throw err;
  }
  const httpPort = (http.address() as AddressInfo).port;
  log.debug({ smtpPort: smtp.port, httpPort }, 'inbox listening');
  return {
    name: 'inbox',
    store,
    smtpPort: smtp.port,
    httpPort,
    health: async () => {
      await reachable(smtp.port);
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/messages?limit=1`);
      if (!res.ok) throw new Error(`inbox API answered ${res.status}`);
    },
    close: async () => {
      await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        (http as import('node:http').Server).closeAllConnections?.();
      });
    },
  };
}
