import { pino } from 'pino';

// One JSON line per event; pretty-printed when a person is watching a terminal.
const pretty = process.stdout.isTTY && !process.env.CI && process.env.AGORA_LOG_FORMAT !== 'json';

export const log = pino({
  level: process.env.AGORA_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { service: 'agora' },
  timestamp: pino.stdTimeFunctions.isoTime,
  // node-postgres attaches the whole connection object to its errors (`err.client`): one log
  // line would carry kilobytes of socket state. Keep the error, drop the client.
  serializers: { err: (err: Error) => ({ ...pino.stdSerializers.err(err), client: undefined }) },
  ...(pretty ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss' } } } : {}),
});
