/** Structured JSON logs. Secrets never reach them: the paths below are redacted wherever they appear. */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** JSON lines to stdout, or to `destination` (tests read what would be logged). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'keepsake' },
    redact: {
      paths: [
        'sharedSecret',
        '*.sharedSecret',
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'macKey',
        '*.macKey',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
