/**
 * Tells every Keepsake instance sharing a database that a user's cached preferences changed,
 * so that each can drop its in-memory copy at once instead of serving it until it expires
 * (PageAuthors sends its "forget this account" on it too, under a key of its own).
 * On Postgres: NOTIFY on a channel, sent inside the writing transaction (so it is delivered
 * only once the write is committed), and LISTEN on a dedicated connection. sqlite is a
 * single-instance store, so there the feed only reaches this process, which needs nothing.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../logger';
import { LockScope } from './lock-scope';

const CHANNEL = 'keepsake_preferences';

export interface ChangeFeed {
  /** Announces a change of `key`; within a lock's scope, once its transaction commits. */
  publish(key: string, scope?: LockScope): Promise<void>;
  /** Called with the key of each change made by another instance, and with `undefined` when changes may have been missed. */
  subscribe(listener: (key: string | undefined) => void): void;
  /** Whether changes by other instances reach this one now; while not, nothing may be kept in memory. */
  readonly live: boolean;
  close(): Promise<void>;
}

export function createChangeFeed(sequelize: Sequelize, databaseUrl: string | undefined, logger: Logger): ChangeFeed {
  return sequelize.getDialect() === 'postgres' && databaseUrl
    ? new PostgresChangeFeed(sequelize, databaseUrl, logger)
    : new LocalChangeFeed();
}

class LocalChangeFeed implements ChangeFeed {
  readonly live = true;
  async publish(): Promise<void> {}
  subscribe(): void {}
  async close(): Promise<void> {}
}

class PostgresChangeFeed implements ChangeFeed {
  private readonly instance = randomUUID();
  private readonly listeners: ((key: string | undefined) => void)[] = [];
  private client?: Client;
  private closed = false;
  live = false;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {
    void this.listen();
  }

  async publish(key: string, scope?: LockScope): Promise<void> {
    await this.sequelize.query('SELECT pg_notify(:channel, :payload)', {
      replacements: { channel: CHANNEL, payload: `${this.instance} ${key}` },
      type: QueryTypes.SELECT,
      transaction: LockScope.transactionOf(scope),
    });
  }

  subscribe(listener: (key: string | undefined) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private emit(key: string | undefined): void {
    for (const listener of this.listeners) listener(key);
  }

  /** Listens, and after a lost connection listens again; whatever was missed meanwhile is forgotten wholesale. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.databaseUrl });
    this.client = client;
    client.on('notification', ({ payload }) => {
      const space = payload?.indexOf(' ') ?? -1;
      if (!payload || space < 0 || payload.slice(0, space) === this.instance) return;
      this.emit(payload.slice(space + 1));
    });
    client.on('error', (error) => {
      this.live = false;
      this.logger.warn({ err: error }, 'preference change feed lost its connection; reconnecting');
      this.emit(undefined);
      void client.end().catch(() => undefined);
      setTimeout(() => void this.listen(), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.live = true;
    } catch (error) {
      if (this.closed) return;
      this.logger.warn({ err: error }, 'preference change feed could not listen; retrying');
      this.emit(undefined);
      setTimeout(() => void this.listen(), 1000).unref();
    }
  }
}
