/**
 * Starts Keepsake: `npm start` (compiled, production) and `npm run dev` run this. The HTTP
 * server listens first, so that a free port (PORT=0, as tests use) is known before ACE reads
 * the descriptor's baseUrl. SIGTERM and SIGINT stop it gracefully: no new connections,
 * in-flight requests finish, then the database pool closes.
 */
import { STATUS_CODES, createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createKeepsake, type Keepsake } from './app';
import { KeepsakeError } from './lib/errors';
import { createLogger, type Logger } from './lib/logger';
import { loadSettings, SettingsError, type Settings } from './lib/settings';
import { aceLogger, routeAceConsole } from './platform/connect/ace-logger';

export interface RunningKeepsake {
  url: string;
  keepsake: Keepsake;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(settings: Settings, logger: Logger = createLogger(settings.LOG_LEVEL)): Promise<RunningKeepsake> {
  // Until the app is ready, requests (health checks, an eager installer) get a clear 503.
  const starting = new KeepsakeError('STARTING', 'Keepsake is starting; try again in a moment.', undefined, 1);
  let handler: RequestListener = (_req, res) => {
    res.writeHead(starting.status, { 'Content-Type': 'application/json', 'Retry-After': String(starting.retryAfter) });
    res.end(JSON.stringify(starting));
  };
  const server = createServer((req, res) => handler(req, res));
  server.on('clientError', answerUnparsable);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.PORT, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = settings.AC_LOCAL_BASE_URL ?? `http://localhost:${port}`;
  let keepsake: Keepsake;
  try {
    keepsake = await createKeepsake({ ...settings, PORT: port, AC_LOCAL_BASE_URL: url }, logger);
  } catch (error) {
    server.close();
    throw error;
  }
  // ACE prints a deprecation notice with console.warn on every iframe load: into this log, at debug.
  const aceConsole = routeAceConsole(keepsake.app, logger);
  handler = aceConsole.listener;
  // Keep-alive connections from proxies must not hold a shutdown open.
  server.keepAliveTimeout = 5000;
  logger.info({ url, port }, 'Keepsake is listening');
  return {
    url,
    keepsake,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      aceConsole.release();
      await keepsake.close();
    },
  };
}

/**
 * A request Node cannot parse (a broken request line, headers over Node's limit) never reaches
 * Express, and Node would answer a bare 400 without a body: it gets a code and a sentence too.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const failure =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new KeepsakeError(
          'HEADERS_TOO_LARGE',
          "The request's headers are larger than Keepsake accepts (16 KB). Send fewer or shorter headers.",
        )
      : new KeepsakeError(
          'MALFORMED_REQUEST',
          'The request is not valid HTTP, so Keepsake cannot read it. Check the request line and headers.',
        );
  const body = JSON.stringify(failure);
  socket.end(
    [
      `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? 'Bad Request'}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Cache-Control: no-store',
      'X-Content-Type-Options: nosniff',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const logger = createLogger(settings.LOG_LEVEL);
  // ACE also writes to the console directly: those lines become structured JSON too, with secrets
  // scrubbed, so a log pipeline can parse every line (its deprecation notice at debug).
  Object.assign(console, aceLogger(logger));
  const running = await startServer(settings, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The last word of a process that cannot go on, as one JSON line like every other. */
function fatal(message: string, error: unknown): never {
  const level = loadLogLevel();
  // A refusal over settings says all there is to say; anything else comes with its stack.
  const details = error instanceof SettingsError ? {} : { err: error };
  createLogger(level === 'silent' ? 'fatal' : level).fatal(
    details,
    `${message}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

/** LOG_LEVEL when the settings could not be read (they may be what failed). */
function loadLogLevel(): string {
  const level = process.env.LOG_LEVEL ?? 'info';
  return ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level) ? level : 'info';
}

if (require.main === module) {
  // Without these, Node would print a crash as text, which a log pipeline reading JSON loses.
  process.on('uncaughtException', (error) => fatal('Keepsake stopped on an uncaught exception', error));
  process.on('unhandledRejection', (error) => fatal('Keepsake stopped on an unhandled rejection', error));
  main().catch((error: unknown) => fatal('Keepsake could not start', error));
}
