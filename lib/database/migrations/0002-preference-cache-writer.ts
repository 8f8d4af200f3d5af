/**
 * The writer of the last acknowledged write beside its generation: two writers that both
 * believed they held a user's lock write the same generation, and only the writer id tells
 * the acknowledged record from the late one (see PreferenceService's fencing).
 */
import { DataTypes, type QueryInterface } from 'sequelize';

export const name = '0002-preference-cache-writer';

export async function up(qi: QueryInterface): Promise<void> {
  await qi.addColumn('keepsake_preference_cache', 'writer', { type: DataTypes.STRING, allowNull: true });
}
