/**
 * Storage moves as background jobs (lib/admin/storage-move-jobs.ts): one row per site, the move
 * under way or the last one — its target, state, figures and failure — and the lease that lets
 * one instance at a time run it. A move left unfinished in `keepsake_sites.storageMove` by an
 * older version becomes a job here, which the runner resumes; that column is unused from now on.
 */
import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';

export const name = '0005-storage-move-jobs';

export async function up(qi: QueryInterface): Promise<void> {
  await qi.createTable('keepsake_storage_moves', {
    clientKey: { type: DataTypes.STRING, primaryKey: true },
    fromBackend: { type: DataTypes.STRING, allowNull: true },
    toBackend: { type: DataTypes.STRING, allowNull: false },
    /** moving (a runner picks it up), failed (waits for the admin's retry) or done. */
    state: { type: DataTypes.STRING, allowNull: false },
    /** Users on another backend when the move was asked for: what "moved" counts against. */
    total: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    /** Users the last pass could not move, and why the last of them failed. */
    failed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    error: { type: DataTypes.STRING(1000), allowNull: true },
    /** The instance running the move holds it until leaseUntil; a crashed one lets it lapse. */
    leaseHolder: { type: DataTypes.STRING, allowNull: true },
    leaseUntil: { type: DataTypes.DATE, allowNull: true },
    startedAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
    finishedAt: { type: DataTypes.DATE, allowNull: true },
  });
  const unfinished = await qi.sequelize.query<{ clientKey: string; storageMove: unknown }>(
    'SELECT "clientKey", "storageMove" FROM keepsake_sites WHERE "storageMove" IS NOT NULL',
    {
      type: QueryTypes.SELECT,
    },
  );
  const now = new Date();
  for (const { clientKey, storageMove } of unfinished) {
    const move = (typeof storageMove === 'string' ? JSON.parse(storageMove) : storageMove) as { from?: string; to?: string } | null;
    if (!move?.to) continue;
    const [{ pending }] = await qi.sequelize.query<{ pending: number | string }>(
      'SELECT COUNT(*) AS pending FROM keepsake_preference_cache WHERE "clientKey" = :clientKey AND backend <> :to',
      {
        replacements: { clientKey, to: move.to },
        type: QueryTypes.SELECT,
      },
    );
    await qi.bulkInsert('keepsake_storage_moves', [
      {
        clientKey,
        fromBackend: move.from ?? null,
        toBackend: move.to,
        state: 'moving',
        total: Number(pending),
        failed: 0,
        startedAt: now,
        updatedAt: now,
      },
    ]);
  }
  await qi.sequelize.query('UPDATE keepsake_sites SET "storageMove" = NULL');
}
