/**
 * Atlassian's personal-data reporting cycle, per site (lib/personal-data/account-reporting.ts):
 * when the last cycle ran and what it found, when the next is due, where a cycle cut short
 * resumes, and the lease that lets one instance at a time run it.
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export const name = '0004-account-reports';

export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('keepsake_account_reports', {
    clientKey: { type: DataTypes.STRING, primaryKey: true },
    /** The instance running a cycle holds it until this time; a crashed one lets it lapse. */
    leaseUntil: { type: DataTypes.DATE, allowNull: true },
    /** The last account id reported in the cycle under way (accounts go in id order); null between cycles. */
    cursor: { type: DataTypes.STRING, allowNull: true },
    cycleStartedAt: { type: DataTypes.DATE, allowNull: true },
    lastCycleAt: { type: DataTypes.DATE, allowNull: true },
    nextCycleAt: { type: DataTypes.DATE, allowNull: true },
    /** Figures of the cycle under way, or of the last one. */
    reported: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    closed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    updated: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    erased: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    /** Why the cycle under way paused (a rate limit, an error), for the admin page. */
    pausedBecause: { type: DataTypes.STRING(1000), allowNull: true },
  });
}
