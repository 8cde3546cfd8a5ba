import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { mountBroadcastApi } from './broadcast-api.js';
import type { RealtimeContext } from './channel.js';
import { ChangeDispatcher } from './dispatch.js';
import { Hub } from './hub.js';
import { ChangeStream } from './replication.js';
import { RealtimeSockets } from './socket.js';
import { secretKey } from './tokens.js';

// /realtime/v1: the websocket for realtime-js, the REST broadcast endpoint, and the change
// stream feeding postgres_changes from the `supabase_realtime` publication.

export const REPLICATION_SLOT = 'agora_realtime';
export const PUBLICATION = 'supabase_realtime';

export async function createRealtimeService(ctx: ServiceContext): Promise<GatewayService> {
  const hub = new Hub();
  const secret = secretKey(ctx.config.jwtSecret);
  const dispatcher = new ChangeDispatcher(hub, ctx.adminPool, ctx.apiPool, ctx.log);
  const stream = new ChangeStream({
    host: '127.0.0.1',
    port: ctx.config.db.port,
    database: 'postgres',
    user: 'postgres',
    password: 'postgres',
    slot: REPLICATION_SLOT,
    publication: PUBLICATION,
    log: ctx.log,
    prepare: (batch) => dispatcher.prepare(batch),
    onRelation: (schema, table) => dispatcher.invalidate(schema, table),
  });
  const realtime: RealtimeContext = {
    hub,
    secret,
    adminPool: ctx.adminPool,
    log: ctx.log,
    publication: PUBLICATION,
    replicationReady: () => stream.isConnected,
  };
  const sockets = new RealtimeSockets(realtime);
  stream.start();
  // Changes committed from here on are delivered; wait (briefly) for the stream to be up.
  await stream.ready(10_000);

  return {
    name: 'realtime',
    mount: (app) => mountBroadcastApi(app, hub, secret),
    attach: (server) => {
      server.on('upgrade', (req, socket, head) => sockets.upgrade(req, socket, head));
      // server.close() waits for every socket, and upgraded ones are not HTTP connections that
      // closeAllConnections() ends: drop the websockets first so stopping never hangs.
      const close = server.close.bind(server);
      server.close = ((callback?: (err?: Error) => void) => {
        sockets.terminateAll();
        return close(callback);
      }) as typeof server.close;
    },
    health: async () => {
      if (!stream.isConnected) throw new Error('replication stream not connected');
    },
    close: async () => {
      await sockets.close();
      await stream.close();
    },
  };
}
