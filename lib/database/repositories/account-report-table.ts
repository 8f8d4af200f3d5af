/**
 * The rows of keepsake_account_reports (one per site): where the site's personal-data
 * reporting cycle stands, its figures, and the lease that lets one instance at a time run it.
 */
import { Op } from 'sequelize';
import type { AccountReportRow, Models } from '../models';

/** The figures a batch adds to the cycle's. */
export type AccountReportFigures = Pick<AccountReportRow, 'reported' | 'closed' | 'updated' | 'erased'>;

export class AccountReportTable {
  constructor(private readonly models: Pick<Models, 'accountReports'>) {}

  /** The site's row, created empty when it has none. */
  async findOrCreate(clientKey: string): Promise<AccountReportRow> {
    const [row] = await this.models.accountReports.findOrCreate({ where: { clientKey }, defaults: { clientKey } });
    return (await this.find(clientKey)) ?? row.get();
  }

  async find(clientKey: string): Promise<AccountReportRow | undefined> {
    return (await this.models.accountReports.findByPk(clientKey))?.get();
  }

  async update(clientKey: string, values: Partial<Omit<AccountReportRow, 'clientKey'>>): Promise<void> {
    await this.models.accountReports.update(values, { where: { clientKey } });
  }

  async addFigures(clientKey: string, figures: AccountReportFigures): Promise<void> {
    await this.models.accountReports.increment(figures, { where: { clientKey } });
  }

  /** Sets the lease until `until` unless a lease is live at `now`; the database decides, so instances never both win. */
  async takeLease(clientKey: string, now: Date, until: Date): Promise<boolean> {
    const [taken] = await this.models.accountReports.update(
      { leaseUntil: until },
      { where: { clientKey, [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: now } }] } },
    );
    return taken === 1;
  }
}
