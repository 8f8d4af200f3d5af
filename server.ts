/**
 * Starts Keepsake: `npm start` (compiled, production) and `npm run dev` run this. The HTTP
 * server listens first, so that a free port (PORT=0, as tests use) is known before ACE reads
 * the descriptor's baseUrl. SIGTERM and SIGINT stop it gracefully: no new connections,
 * in-flight requests finish, then the database pool closes.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeepsake, type Keepsake } from './app';
import { aceLogger } from './lib/ace-logger';
import { createLogger, type Logger } from './lib/logger';
import { loadSettings, type Settings } from './lib/settings';

export interface RunningKeepsake {
  url: string;
  keepsake: Keepsake;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(settings: Settings, logger: Logger = createLogger(settings.LOG_LEVEL)): Promise<RunningKeepsake> {
  // Until the app is ready, requests (health checks, an eager installer) get a clear 503.
  let handler: RequestListener = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
    res.end(JSON.stringify({ code: 'STARTING', message: 'Keepsake is starting; try again in a moment.' }));
  };
  const server = createServer((req, res) => handler(req, res));
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
  handler = keepsake.app;
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
      await keepsake.close();
    },
  };
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const logger = createLogger(settings.LOG_LEVEL);
  // ACE also writes to the console directly (a deprecation warning on every iframe load): those
  // lines become structured JSON too, with secrets scrubbed, so a log pipeline can parse every line.
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

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
