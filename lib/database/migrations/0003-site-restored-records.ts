/**
 * A site figure of the records found not to be the last acknowledged copy (a late write from
 * an instance that lost a user's lock, tampering) and written back (see PreferenceService).
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export const name = '0003-site-restored-records';

export async function up(qi: QueryInterface): Promise<void> {
  await qi.addColumn('keepsake_sites', 'restoredRecords', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
}
