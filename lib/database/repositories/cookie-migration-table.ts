/**
 * The rows of keepsake_cookie_migrations (one per user, cookie and outcome), and the figures
 * of the admin's stats page read from them.
 */
import { Op, fn, col } from 'sequelize';
import { z } from 'zod';
import type { Models } from '../models';

/** How many cookies (and of how many users) ended with one outcome and code. */
export interface MigrationOutcomeCount {
  outcome: string;
  /** The error code of a cookie not migrated; empty or null when there is none. */
  code: string | null;
  users: number;
  cookies: number;
}

// COUNT comes back as a number (sqlite) or a string (Postgres's bigint).
const outcomeCount = z.object({ outcome: z.string(), code: z.string().nullable(), users: z.coerce.number(), cookies: z.coerce.number() });

/** One cookie's migration, as a person's data export lists it. */
export interface CookieMigration {
  cookie: string;
  outcome: string;
  code: string;
  createdAt: Date;
}

export class CookieMigrationTable {
  constructor(private readonly models: Pick<Models, 'cookieMigrations'>) {}

  async outcomeCounts(clientKey: string): Promise<MigrationOutcomeCount[]> {
    const rows = await this.models.cookieMigrations.findAll({
      where: { clientKey },
      attributes: ['outcome', 'code', [fn('COUNT', fn('DISTINCT', col('accountId'))), 'users'], [fn('COUNT', col('id')), 'cookies']],
      group: ['outcome', 'code'],
      raw: true,
    });
    return z.array(outcomeCount).parse(rows);
  }

  /** Every user of the site with a row, and when each row was written. */
  async createdAt(clientKey: string): Promise<{ accountId: string; createdAt: Date }[]> {
    const rows = await this.models.cookieMigrations.findAll({ where: { clientKey }, attributes: ['accountId', 'createdAt'], raw: true });
    // Raw rows skip the model's types: sqlite answers dates as strings.
    return (rows as unknown as { accountId: string; createdAt: Date | string }[]).map((r) => ({
      accountId: r.accountId,
      createdAt: new Date(r.createdAt),
    }));
  }

  /** The user's migrations, oldest first. */
  async ofUser(clientKey: string, accountId: string): Promise<CookieMigration[]> {
    const rows = await this.models.cookieMigrations.findAll({ where: { clientKey, accountId }, order: [['id', 'ASC']] });
    return rows.map((row) => {
      const { cookie, outcome, code } = row.get();
      return { cookie, outcome, code, createdAt: row.get('createdAt') as Date };
    });
  }

  /** Deletes the user's rows; answers how many went. */
  removeUser(clientKey: string, accountId: string): Promise<number> {
    return this.models.cookieMigrations.destroy({ where: { clientKey, accountId } });
  }

  /** Users of the site with at least one cookie migrated. */
  migratedUsers(clientKey: string): Promise<number> {
    return this.models.cookieMigrations.count({
      where: { clientKey, outcome: { [Op.in]: ['migrated', 'partial'] } },
      distinct: true,
      col: 'accountId',
    });
  }
}
