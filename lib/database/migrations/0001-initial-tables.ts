/** Keepsake's first tables: sites, the preference cache, the AP.cookie migration log. */
import { DataTypes, type QueryInterface } from 'sequelize';

export const name = '0001-initial-tables';

export async function up(qi: QueryInterface): Promise<void> {
  const timestamps = {
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  };
  await qi.createTable('keepsake_sites', {
    clientKey: { type: DataTypes.STRING, primaryKey: true },
    status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'installed' },
    siteKey: { type: DataTypes.STRING, allowNull: false },
    settings: { type: DataTypes.JSON, allowNull: true },
    detectedBackend: { type: DataTypes.STRING, allowNull: true },
    activeBackend: { type: DataTypes.STRING, allowNull: true },
    storageMove: { type: DataTypes.JSON, allowNull: true },
    confluenceCalls: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    confluenceErrors: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    ...timestamps,
  });
  await qi.createTable('keepsake_preference_cache', {
    clientKey: { type: DataTypes.STRING, primaryKey: true },
    accountId: { type: DataTypes.STRING, primaryKey: true },
    backend: { type: DataTypes.STRING, allowNull: false },
    document: { type: DataTypes.JSON, allowNull: true },
    gen: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    chunks: { type: DataTypes.JSON, allowNull: true },
    tampered: { type: DataTypes.JSON, allowNull: true },
    fetchedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.createTable('keepsake_cookie_migrations', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    clientKey: { type: DataTypes.STRING, allowNull: false },
    accountId: { type: DataTypes.STRING, allowNull: false },
    cookie: { type: DataTypes.STRING, allowNull: false },
    outcome: { type: DataTypes.STRING, allowNull: false },
    code: { type: DataTypes.STRING, allowNull: false, defaultValue: '' },
    ...timestamps,
  });
  await qi.addIndex('keepsake_cookie_migrations', ['clientKey', 'accountId', 'cookie', 'outcome', 'code'], {
    unique: true,
    name: 'keepsake_cookie_migrations_once',
  });
}
