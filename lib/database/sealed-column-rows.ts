/**
 * The rows of one sealed column, for `npm run rotate-data-key` (lib/secrets/rotate-data-key.ts
 * decides what each value becomes). Each batch of rows is read and written in one transaction
 * with its rows locked (Postgres), so a concurrent write is never replaced by an older value.
 */
import { Op, type Model, type ModelStatic, type Sequelize, type WhereOptions } from 'sequelize';
import type { Purpose } from '../secrets/data-cipher';
import type { Models } from './models';

const BATCH = 100;

/** A column whose values are sealed: its table's model, the primary key and the cipher purpose. */
export interface SealedColumn {
  model: ModelStatic<Model>;
  primaryKey: string[];
  attribute: string;
  purpose: Purpose;
}

/** What becomes of a stored value: the value to write instead, or undefined to leave it. */
export type Reseal = (stored: unknown) => string | undefined;

/** Keepsake's sealed columns: site keys and cached documents (the platform's store names its own). */
export function keepsakeSealedColumns(models: Models): SealedColumn[] {
  return [
    { model: models.sites, primaryKey: ['clientKey'], attribute: 'siteKey', purpose: 'keepsake_sites.siteKey' },
    { model: models.cache, primaryKey: ['clientKey', 'accountId'], attribute: 'document', purpose: 'keepsake_preference_cache.document' },
  ];
}

export class SealedColumnRows {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly column: SealedColumn,
  ) {}

  /** `table.column`, as the rotation's report names it. */
  get name(): string {
    return `${this.column.model.getTableName() as string}.${this.column.attribute}`;
  }

  get purpose(): Purpose {
    return this.column.purpose;
  }

  /** Passes every stored value (not null) to `reseal` and writes what it answers. */
  async resealEach(reseal: Reseal): Promise<void> {
    const { model, primaryKey, attribute } = this.column;
    const keys = (await model.findAll({ attributes: primaryKey, raw: true })) as unknown as Record<string, unknown>[];
    for (let i = 0; i < keys.length; i += BATCH) {
      const batch = keys.slice(i, i + BATCH);
      await this.sequelize.transaction(async (transaction) => {
        const rows = await model.findAll({ where: { [Op.or]: batch } as WhereOptions, transaction, lock: true });
        for (const row of rows) {
          const stored: unknown = row.getDataValue(attribute);
          if (stored === null || stored === undefined) continue;
          const resealed = reseal(stored);
          if (resealed === undefined) continue;
          const where = Object.fromEntries(primaryKey.map((k) => [k, row.getDataValue(k)]));
          await model.update({ [attribute]: resealed }, { where, transaction });
        }
      });
    }
  }
}

/** The rows of each column, read and written through `sequelize`. */
export function sealedColumnRows(sequelize: Sequelize, columns: SealedColumn[]): SealedColumnRows[] {
  return columns.map((column) => new SealedColumnRows(sequelize, column));
}
