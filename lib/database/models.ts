/**
 * Keepsake's own tables, beside ACE's install store in the same database: sites (their secret
 * key, settings and storage backend), the write-through preference cache (which also records
 * which users have data, and on which backend), and the AP.cookie migration log.
 */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface SiteRow {
  clientKey: string;
  status: 'installed' | 'uninstalled';
  /** base64 of 32 random bytes: the key of record seals and of hashed user keys. */
  siteKey: string;
  settings: unknown;
  detectedBackend: string | null;
  activeBackend: string | null;
  /** A storage move between backends that has not finished: {from, to, error?}. */
  storageMove: unknown;
  confluenceCalls: number;
  confluenceErrors: number;
}

export interface CacheRow {
  clientKey: string;
  accountId: string;
  backend: string;
  document: unknown;
  gen: number;
  chunks: unknown;
  tampered: unknown;
  fetchedAt: Date;
}

export interface CookieMigrationRow {
  clientKey: string;
  accountId: string;
  cookie: string;
  outcome: string;
  code: string;
}

export interface Models {
  sites: ModelStatic<Model<SiteRow, Partial<SiteRow>>>;
  cache: ModelStatic<Model<CacheRow, Partial<CacheRow>>>;
  cookieMigrations: ModelStatic<Model<CookieMigrationRow, Partial<CookieMigrationRow>>>;
}

export function defineModels(sequelize: Sequelize): Models {
  const sites = sequelize.define<Model<SiteRow, Partial<SiteRow>>>(
    'KeepsakeSite',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'installed' },
      siteKey: { type: DataTypes.STRING, allowNull: false },
      settings: { type: DataTypes.JSON, allowNull: true },
      detectedBackend: { type: DataTypes.STRING, allowNull: true },
      activeBackend: { type: DataTypes.STRING, allowNull: true },
      storageMove: { type: DataTypes.JSON, allowNull: true },
      confluenceCalls: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      confluenceErrors: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    },
    { tableName: 'keepsake_sites' },
  );
  const cache = sequelize.define<Model<CacheRow, Partial<CacheRow>>>(
    'KeepsakePreferenceCache',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      accountId: { type: DataTypes.STRING, primaryKey: true },
      backend: { type: DataTypes.STRING, allowNull: false },
      document: { type: DataTypes.JSON, allowNull: true },
      gen: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      chunks: { type: DataTypes.JSON, allowNull: true },
      tampered: { type: DataTypes.JSON, allowNull: true },
      fetchedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { tableName: 'keepsake_preference_cache', timestamps: false },
  );
  const cookieMigrations = sequelize.define<Model<CookieMigrationRow, Partial<CookieMigrationRow>>>(
    'KeepsakeCookieMigration',
    {
      clientKey: { type: DataTypes.STRING, allowNull: false },
      accountId: { type: DataTypes.STRING, allowNull: false },
      cookie: { type: DataTypes.STRING, allowNull: false },
      outcome: { type: DataTypes.STRING, allowNull: false },
      code: { type: DataTypes.STRING, allowNull: false, defaultValue: '' },
    },
    {
      tableName: 'keepsake_cookie_migrations',
      // One row per user, cookie and outcome (a unique index, see migrations): sending the
      // same cookies again changes no figure.
    },
  );
  return { sites, cache, cookieMigrations };
}
