/**
 * Keepsake's tables in an in-memory sqlite database, migrated as at start-up: the real cache,
 * locks and site rows for unit tests, without a file or a server. sqlite is the single-instance
 * store, so the locks are the in-process ones.
 */
import { randomBytes } from 'node:crypto';
import { Sequelize } from 'sequelize';
import { migrate } from '../../../lib/database/migrate';
import { defineModels, type Models } from '../../../lib/database/models';
import { DataCipher } from '../../../lib/secrets/data-cipher';

export interface MemoryDatabase {
  sequelize: Sequelize;
  models: Models;
}

export async function memoryDatabase(): Promise<MemoryDatabase> {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  const models = defineModels(sequelize, new DataCipher(randomBytes(32)));
  await migrate(sequelize);
  return { sequelize, models };
}
