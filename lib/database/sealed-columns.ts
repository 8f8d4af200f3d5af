/**
 * Columns of Keepsake's own tables that are stored encrypted (lib/secrets/data-cipher.ts): the
 * model's attribute setter seals a value and its getter opens it, so code that reads and
 * writes rows through the models sees plain values and the database sees only sealed ones.
 *
 * Setters run wherever sequelize builds an instance (`create`, `save`, `upsert`, `bulkCreate`,
 * and the static `update`'s validation); the static `update` with `validate: false` skips
 * them, so a `beforeBulkUpdate` hook seals there too (sealing is idempotent). Queries with
 * `raw: true` skip getters: they see sealed values. A value stored before encryption
 * (plaintext) is read as it is and sealed at its next write or by `npm run rotate-data-key`.
 */
import type { Model, ModelAttributeColumnOptions, ModelStatic, UpdateOptions } from 'sequelize';
import type { DataCipher, Purpose } from '../secrets/data-cipher';

/** The getter and setter of a sealed attribute, to spread into its definition. */
export function sealedAttribute(cipher: DataCipher, purpose: Purpose, attribute: string): Pick<ModelAttributeColumnOptions, 'get' | 'set'> {
  return {
    get(this: Model) {
      return cipher.openJson(purpose, this.getDataValue(attribute));
    },
    set(this: Model, value: unknown) {
      this.setDataValue(attribute, cipher.sealJson(purpose, value));
    },
  };
}

/** Seals these attributes in static `Model.update` calls too, whatever their options. */
export function sealBulkUpdates(model: ModelStatic<Model>, cipher: DataCipher, attributes: Record<string, Purpose>): void {
  model.addHook('beforeBulkUpdate', (options: UpdateOptions) => {
    // sequelize hands the values being written to this hook as `options.attributes`.
    const values = (options as { attributes?: Record<string, unknown> }).attributes;
    if (!values) return;
    for (const [attribute, purpose] of Object.entries(attributes)) {
      if (attribute in values) values[attribute] = cipher.sealJson(purpose, values[attribute]);
    }
  });
}
