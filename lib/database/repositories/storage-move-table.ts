/**
 * The rows of keepsake_storage_moves (one per site): each site's storage move as a job, and the
 * lease that lets one instance at a time run it. The conditional updates answer whether they
 * changed the row, so the database decides between instances.
 */
import { Op } from 'sequelize';
import type { Models, StorageMoveRow } from '../models';

/** The columns a new request (or a restart) sets; the lease columns are not among them. */
export type StorageMoveRequest = Omit<StorageMoveRow, 'clientKey' | 'leaseHolder' | 'leaseUntil'>;

export class StorageMoveTable {
  constructor(private readonly models: Pick<Models, 'storageMoves'>) {}

  async find(clientKey: string): Promise<StorageMoveRow | undefined> {
    return (await this.models.storageMoves.findByPk(clientKey))?.get();
  }

  /** Writes the request's columns, creating the site's row when it has none. */
  async saveRequest(clientKey: string, request: StorageMoveRequest, exists: boolean): Promise<void> {
    if (exists) await this.models.storageMoves.update(request, { where: { clientKey } });
    else await this.models.storageMoves.create({ clientKey, ...request });
  }

  /** Back to `moving` with no failures, if the move is moving or failed. */
  async restart(clientKey: string, at: Date): Promise<boolean> {
    const [restarted] = await this.models.storageMoves.update(
      { state: 'moving', failed: 0, error: null, updatedAt: at },
      { where: { clientKey, state: { [Op.in]: ['moving', 'failed'] } } },
    );
    return restarted === 1;
  }

  /** Sites with a move under way and no lease live at `now`. */
  async waiting(now: Date): Promise<string[]> {
    const rows = await this.models.storageMoves.findAll({
      where: { state: 'moving', [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: now } }] },
      attributes: ['clientKey'],
    });
    return rows.map((r) => r.get().clientKey);
  }

  async touch(clientKey: string, at: Date): Promise<void> {
    await this.models.storageMoves.update({ updatedAt: at }, { where: { clientKey } });
  }

  /** Stops a move under way towards `to`; false when there is none (the target changed). */
  async stop(clientKey: string, to: string, failed: number, error: string, at: Date): Promise<boolean> {
    const [stopped] = await this.models.storageMoves.update(
      { state: 'failed', failed, error, updatedAt: at },
      { where: { clientKey, state: 'moving', toBackend: to } },
    );
    return stopped === 1;
  }

  /** Marks the move done (only if it is towards `to`, when given). */
  async finish(clientKey: string, at: Date, to?: string): Promise<boolean> {
    const [finished] = await this.models.storageMoves.update(
      { state: 'done', failed: 0, error: null, updatedAt: at, finishedAt: at },
      { where: { clientKey, ...(to ? { toBackend: to } : {}) } },
    );
    return finished === 1;
  }

  /** Gives the lease to `holder` until `until` if the move is under way and no other holder's lease is live at `now`. */
  async takeLease(clientKey: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const [taken] = await this.models.storageMoves.update(
      { leaseHolder: holder, leaseUntil: until },
      { where: { clientKey, state: 'moving', [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: now } }, { leaseHolder: holder }] } },
    );
    return taken === 1;
  }

  /** Extends the lease while `holder` still has it. */
  async renewLease(clientKey: string, holder: string, until: Date): Promise<boolean> {
    const [renewed] = await this.models.storageMoves.update({ leaseUntil: until }, { where: { clientKey, leaseHolder: holder } });
    return renewed === 1;
  }

  async releaseLease(clientKey: string, holder: string): Promise<void> {
    await this.models.storageMoves.update({ leaseHolder: null, leaseUntil: null }, { where: { clientKey, leaseHolder: holder } });
  }
}
