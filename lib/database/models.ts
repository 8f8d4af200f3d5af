/**
 * Keepsake's own tables, beside ACE's install store in the same database: sites (their secret
 * key, settings and storage backend), the write-through preference cache (which also records
 * which users have data, and on which backend), and the AP.cookie migration log.
 */
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { DataCipher } from '../secrets/data-cipher';
import { sealBulkUpdates, sealedAttribute } from './sealed-columns';

export interface SiteRow {
  clientKey: string;
  status: 'installed' | 'uninstalled';
  /** base64 of 32 random bytes: the key of record seals and of hashed user keys. */
  siteKey: string;
  settings: unknown;
  detectedBackend: string | null;
  activeBackend: string | null;
  /** Unused since migration 0005 (storage moves are keepsake_storage_moves rows). */
  storageMove: unknown;
  confluenceCalls: number;
  confluenceErrors: number;
  restoredRecords: number;
}

export interface CacheRow {
  clientKey: string;
  accountId: string;
  backend: string;
  document: unknown;
  gen: number;
  /** The writer id of the record at `gen`: who wrote the acknowledged copy. */
  writer: string | null;
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

export interface AccountReportRow {
  clientKey: string;
  leaseUntil: Date | null;
  cursor: string | null;
  cycleStartedAt: Date | null;
  lastCycleAt: Date | null;
  nextCycleAt: Date | null;
  reported: number;
  closed: number;
  updated: number;
  erased: number;
  pausedBecause: string | null;
}

export interface StorageMoveRow {
  clientKey: string;
  fromBackend: string | null;
  toBackend: string;
  state: 'moving' | 'failed' | 'done';
  total: number;
  failed: number;
  error: string | null;
  leaseHolder: string | null;
  leaseUntil: Date | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface AppPropertyBucketRow {
  clientKey: string;
  bucket: number;
  gen: number;
  writer: string;
  /** The sealed pages as stored in Confluence, as JSON. */
  pages: string;
}

export interface Models {
  sites: ModelStatic<Model<SiteRow, Partial<SiteRow>>>;
  cache: ModelStatic<Model<CacheRow, Partial<CacheRow>>>;
  cookieMigrations: ModelStatic<Model<CookieMigrationRow, Partial<CookieMigrationRow>>>;
  accountReports: ModelStatic<Model<AccountReportRow, Partial<AccountReportRow>>>;
  storageMoves: ModelStatic<Model<StorageMoveRow, Partial<StorageMoveRow>>>;
  appPropertyBuckets: ModelStatic<Model<AppPropertyBucketRow, Partial<AppPropertyBucketRow>>>;
}

/** The site key and the cached document are stored sealed with `cipher` (sealed-columns.ts). */
export function defineModels(sequelize: Sequelize, cipher: DataCipher): Models {
  const sites = sequelize.define<Model<SiteRow, Partial<SiteRow>>>(
    'KeepsakeSite',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      status: { type: DataTypes.STRING, allowNull: false, defaultValue: 'installed' },
      siteKey: { type: DataTypes.STRING, allowNull: false, ...sealedAttribute(cipher, 'keepsake_sites.siteKey', 'siteKey') },
      settings: { type: DataTypes.JSON, allowNull: true },
      detectedBackend: { type: DataTypes.STRING, allowNull: true },
      activeBackend: { type: DataTypes.STRING, allowNull: true },
      storageMove: { type: DataTypes.JSON, allowNull: true },
      confluenceCalls: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      confluenceErrors: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      restoredRecords: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    },
    { tableName: 'keepsake_sites' },
  );
  const cache = sequelize.define<Model<CacheRow, Partial<CacheRow>>>(
    'KeepsakePreferenceCache',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      accountId: { type: DataTypes.STRING, primaryKey: true },
      backend: { type: DataTypes.STRING, allowNull: false },
      document: { type: DataTypes.JSON, allowNull: true, ...sealedAttribute(cipher, 'keepsake_preference_cache.document', 'document') },
      gen: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      writer: { type: DataTypes.STRING, allowNull: true },
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
  sealBulkUpdates(sites, cipher, { siteKey: 'keepsake_sites.siteKey' });
  sealBulkUpdates(cache, cipher, { document: 'keepsake_preference_cache.document' });
  const accountReports = sequelize.define<Model<AccountReportRow, Partial<AccountReportRow>>>(
    'KeepsakeAccountReport',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      leaseUntil: { type: DataTypes.DATE, allowNull: true },
      cursor: { type: DataTypes.STRING, allowNull: true },
      cycleStartedAt: { type: DataTypes.DATE, allowNull: true },
      lastCycleAt: { type: DataTypes.DATE, allowNull: true },
      nextCycleAt: { type: DataTypes.DATE, allowNull: true },
      reported: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      closed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      updated: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      erased: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      pausedBecause: { type: DataTypes.STRING(1000), allowNull: true },
    },
    { tableName: 'keepsake_account_reports', timestamps: false },
  );
  const storageMoves = sequelize.define<Model<StorageMoveRow, Partial<StorageMoveRow>>>(
    'KeepsakeStorageMove',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      fromBackend: { type: DataTypes.STRING, allowNull: true },
      toBackend: { type: DataTypes.STRING, allowNull: false },
      state: { type: DataTypes.STRING, allowNull: false },
      total: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      failed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      error: { type: DataTypes.STRING(1000), allowNull: true },
      leaseHolder: { type: DataTypes.STRING, allowNull: true },
      leaseUntil: { type: DataTypes.DATE, allowNull: true },
      startedAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
      finishedAt: { type: DataTypes.DATE, allowNull: true },
    },
    // updatedAt is written by the job itself (its last progress), not by sequelize.
    { tableName: 'keepsake_storage_moves', timestamps: false },
  );
  const appPropertyBuckets = sequelize.define<Model<AppPropertyBucketRow, Partial<AppPropertyBucketRow>>>(
    'KeepsakeAppPropertyBucket',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      bucket: { type: DataTypes.INTEGER, primaryKey: true },
      gen: { type: DataTypes.INTEGER, allowNull: false },
      writer: { type: DataTypes.STRING, allowNull: false },
      pages: { type: DataTypes.TEXT, allowNull: false },
    },
    { tableName: 'keepsake_app_property_buckets', timestamps: false },
  );
  return { sites, cache, cookieMigrations, accountReports, storageMoves, appPropertyBuckets };
}
