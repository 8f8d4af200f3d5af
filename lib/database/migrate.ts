/**
 * Brings Keepsake's tables up to date at start-up, with umzug recording what ran in
 * `keepsake_schema_migrations`. Callers hold the schema lock (schema-lock.ts), so instances
 * starting together take turns and each migration runs once.
 */
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import * as initialTables from './migrations/0001-initial-tables';
import * as preferenceCacheWriter from './migrations/0002-preference-cache-writer';
import * as siteRestoredRecords from './migrations/0003-site-restored-records';
import * as accountReports from './migrations/0004-account-reports';
import * as storageMoveJobs from './migrations/0005-storage-move-jobs';
import * as appPropertyBuckets from './migrations/0006-app-property-buckets';

const MIGRATIONS: { name: string; up(qi: QueryInterface): Promise<void> }[] = [
  initialTables,
  preferenceCacheWriter,
  siteRestoredRecords,
  accountReports,
  storageMoveJobs,
  appPropertyBuckets,
];

export async function migrate(sequelize: Sequelize): Promise<string[]> {
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: ({ context }: { context: QueryInterface }) => m.up(context) })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'keepsake_schema_migrations' }),
    logger: undefined,
  });
  return (await umzug.up()).map((m) => m.name);
}
