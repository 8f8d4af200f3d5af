/**
 * The acknowledged copy of each app-property bucket (lib/storage/app-property-buckets.ts): its
 * generation and writer id, which tell a late write of a writer that lost the bucket's lock
 * from the acknowledged one, and its sealed pages, which put the acknowledged one back.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export const name = '0006-app-property-buckets';

export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('keepsake_app_property_buckets', {
    clientKey: { type: DataTypes.STRING, primaryKey: true },
    bucket: { type: DataTypes.INTEGER, primaryKey: true },
    gen: { type: DataTypes.INTEGER, allowNull: false },
    writer: { type: DataTypes.STRING, allowNull: false },
    /** The pages as stored in Confluence (JSON): ciphertext under the site's key. */
    pages: { type: DataTypes.TEXT, allowNull: false },
  });
}
