// The HTTP listener of one emulated site: its own port on 127.0.0.1, and on ::1 too when the
// machine has IPv6 (`localhost` may resolve to ::1 first).
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface SiteServer {
  port: number;
  /** Stops accepting connections at once; `close()` then ends the open ones. */
  stopListening(): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Listens on `port` (0: a free one); rejects with the listen error (EADDRINUSE) otherwise. */
export async function listenSite(app: RequestListener, port: number, logger: Logger): Promise<SiteServer> {
  const server = createServer(app);
  await listen(server, port, '127.0.0.1');
  const actualPort = (server.address() as AddressInfo).port;
  const servers = [server];
  const server6 = createServer(app);
  try {
    await listen(server6, actualPort, '::1');
    servers.push(server6);
  } catch {
    logger.debug('no IPv6 loopback; listening on 127.0.0.1 only');
  }
  let closing: Promise<void> | undefined;
  return {
    port: actualPort,
    stopListening() {
      for (const s of servers) if (s.listening) s.close();
    },
    close() {
      closing ??= Promise.all(servers.map(closeServer)).then(() => undefined);
      return closing;
    },
  };
}
