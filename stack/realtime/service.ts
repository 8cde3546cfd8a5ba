import type { GatewayService, ServiceContext } from '../gateway/app.js';
import { mountBroadcastApi } from './broadcast-api.js';
import type { RealtimeContext } from './channel.js';
import { createDatabaseBroadcast, maintainMessagePartitions } from './database-broadcast.js';
import { realtimeLimits } from '../config/realtime-limits.js';
import { ChangeDispatcher } from './dispatch.js';
import { PerSecondLimit } from './rate.js';
import { Hub } from './hub.js';
import { ChangeStream } from './replication.js';
import { RealtimeSockets } from './socket.js';
import { jwtKeys } from '../jwt/keys.js';

// /realtime/v1: the websocket for realtime-js, the REST broadcast endpoint, and the change
// stream feeding postgres_changes from the `supabase_realtime` publication.

export const REPLICATION_SLOT = 'agora_realtime';
export const PUBLICATION = 'supabase_realtime';
const STREAM_TIMEOUT_MS = 10_000;

export async function createRealtimeService(ctx: ServiceContext): Promise<GatewayService> {
  const limits = realtimeLimits();
  // how long a change stream stays up after its last listener left
  const lingerMs = () => ctx.config.realtime.lingerMs;
  const hub = new Hub({ perHolder: limits.maxPresenceBytesPerSocket, total: limits.maxPresenceBytesTotal });
  const keys = jwtKeys(ctx.config);
  const dispatcher = new ChangeDispatcher(hub, ctx.adminPool, ctx.pools.realtime, ctx.log);
  const stream = new ChangeStream({
    host: '127.0.0.1',
    port: ctx.config.db.port,
    database: 'postgres',
    user: 'supabase_admin', // as Supabase's Realtime: the stack's role, not the project's
    password: ctx.config.db.password,
    slot: REPLICATION_SLOT,
    publication: PUBLICATION,
    log: ctx.log,
    prepare: (batch) => dispatcher.prepare(batch),
    onRelation: (schema, table) => dispatcher.invalidate(schema, table),
  });
  const realtime: RealtimeContext = {
    limits,
    joins: new PerSecondLimit(limits.maxJoinsPerSecond),
    presenceEvents: new PerSecondLimit(limits.maxPresenceEventsPerSecond),
    hub,
    keys,
    adminPool: ctx.adminPool,
    apiPool: ctx.pools.realtime,
    log: ctx.log,
    publication: PUBLICATION,
    ensureStreaming: async () => {
      const up = await stream.ensureStreaming(STREAM_TIMEOUT_MS);
      if (!hub.changeMembers.size) stream.unwant(lingerMs());
      return up;
    },
  };
  // Stream only while someone listens (an idle stack holds no replication connection).
  hub.onChangeSubscribers = (count) => (count ? stream.want() : stream.unwant(lingerMs()));
  const sockets = new RealtimeSockets(realtime);
  // Broadcast from the database streams while anyone is joined to a channel, as Realtime does
  // while a tenant is active.
  const messages = createDatabaseBroadcast({ hub, maxPayloadBytes: limits.maxPayloadBytes, port: ctx.config.db.port, password: ctx.config.db.password, log: ctx.log });
  realtime.ensureBroadcasting = async () => {
    const up = await messages.ensureStreaming(STREAM_TIMEOUT_MS);
    if (!hub.memberCount) messages.unwant(lingerMs());
    return up;
  };
  hub.onMembers = (count) => (count ? messages.want() : messages.unwant(lingerMs()));
  await maintainMessagePartitions(ctx.adminPool, ctx.log);
  const janitor = setInterval(() => void maintainMessagePartitions(ctx.adminPool, ctx.log), 3_600_000);
  janitor.unref();

  return {
    name: 'realtime',
    mount: (app) => mountBroadcastApi(app, { hub, keys, apiPool: ctx.pools.realtime, log: ctx.log, maxBodyBytes: ctx.config.bodyLimits.realtime }),
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
    reconnect: () => stream.reconnectNow(),
    health: async () => {
      if (!stream.isHealthy) throw new Error('replication stream not connected');
      if (!messages.isHealthy) throw new Error('messages replication stream not connected');
    },
    close: async () => {
      clearInterval(janitor);
      await sockets.close();
      await stream.close();
      await messages.close();
    },
  };
}
