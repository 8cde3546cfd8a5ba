import { pino } from 'pino';
import { logSettings } from './config/log.js';

// One JSON line per event; pretty-printed when a person is watching a terminal.
const { level, pretty } = logSettings();

export const log = pino({
  level,
  base: { service: 'agora' },
  timestamp: pino.stdTimeFunctions.isoTime,
  // node-postgres attaches the whole connection object to its errors (`err.client`): one log
  // line would carry kilobytes of socket state. Keep the error, drop the client.
  serializers: { err: (err: Error) => ({ ...pino.stdSerializers.err(err), client: undefined }) },
  ...(pretty ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss' } } } : {}),
});
