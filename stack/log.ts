import { pino } from 'pino';

// One JSON line per event; pretty-printed when a person is watching a terminal.
const pretty = process.stdout.isTTY && !process.env.CI && process.env.AGORA_LOG_FORMAT !== 'json';

export const log = pino({
  level: process.env.AGORA_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { service: 'agora' },
  timestamp: pino.stdTimeFunctions.isoTime,
  ...(pretty ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss' } } } : {}),
});
