import pino, { type Logger } from 'pino';

export type { Logger };
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Paths whose values never reach a log line. */
const REDACT = [
  'secretAccessKey',
  'sessionToken',
  '*.secretAccessKey',
  '*.sessionToken',
  'headers.authorization',
  'headers["x-amz-security-token"]',
  '*.headers.authorization',
  '*.headers["x-amz-security-token"]',
];

/** JSON lines to stdout (or a given destination), secrets redacted. */
export function createLogger(name: string, level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    { name, level, base: { pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
