/** Structured JSON logs. Secrets never reach them: the paths below are redacted wherever they appear. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
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
  });
}
