/**
 * Brings Keepsake's tables up to date at start-up, with umzug recording what ran in
 * `keepsake_schema_migrations`. On Postgres, instances starting together take turns under an
 * advisory lock, so each migration runs once.
 */
import { QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import * as initialTables from './migrations/0001-initial-tables';

const MIGRATIONS: { name: string; up(qi: QueryInterface): Promise<void> }[] = [initialTables];

/** An arbitrary constant: the advisory lock key of schema migrations. */
const MIGRATION_LOCK = 0x6b656570;

export async function migrate(sequelize: Sequelize): Promise<string[]> {
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: ({ context }: { context: QueryInterface }) => m.up(context) })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'keepsake_schema_migrations' }),
    logger: undefined,
  });
  const run = async () => (await umzug.up()).map((m) => m.name);
  if (sequelize.getDialect() !== 'postgres') return run();
  return sequelize.transaction(async (tx) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(:key)', { replacements: { key: MIGRATION_LOCK }, transaction: tx, type: QueryTypes.SELECT });
    return run();
  });
}
