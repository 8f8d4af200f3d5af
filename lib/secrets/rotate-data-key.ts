/**
 * Re-encrypts every sealed value in the database with the current data key
 * (`KEEPSAKE_DATA_KEY`), opening the older ones with `KEEPSAKE_DATA_KEY_PREVIOUS`, and seals
 * values stored before encryption existed. The command that runs it is rotate-data-key.ts at
 * the top level (`npm run rotate-data-key`); instances may keep serving meanwhile, as long as
 * they already run with the new key as current and the old one as previous
 * (docs/deployment.md). The rows are read and written by lib/database/sealed-column-rows.ts,
 * a batch at a time with its rows locked, so a concurrent write is never replaced by an older value.
 */
import type { SealedColumnRows } from '../database/sealed-column-rows';
import { createLogger } from '../logger';
import { DataCipher, UnknownDataKeyError } from './data-cipher';

export type { SealedColumn } from '../database/sealed-column-rows';

export interface RotationReport {
  /** The key every value is now sealed with. */
  keyId: string;
  /** Per column (`table.column`): values sealed again with the current key. */
  resealed: Record<string, number>;
  /** Per column: values already sealed with the current key. */
  current: Record<string, number>;
  /** Per column: values no configured key opens (left as they are). */
  unreadable: Record<string, number>;
  /** Key ids found that no configured key has. */
  unknownKeyIds: string[];
}

export async function rotateDataKey(columns: SealedColumnRows[], cipher: DataCipher): Promise<RotationReport> {
  const report: RotationReport = { keyId: cipher.currentKeyId, resealed: {}, current: {}, unreadable: {}, unknownKeyIds: [] };
  for (const column of columns) {
    const { name, purpose } = column;
    report.resealed[name] = report.current[name] = report.unreadable[name] = 0;
    await column.resealEach((stored) => {
      if (!cipher.needsResealing(stored)) {
        report.current[name]++;
        return undefined;
      }
      let resealed: string;
      try {
        resealed = DataCipher.isSealed(stored)
          ? cipher.seal(purpose, cipher.open(purpose, stored))
          : cipher.seal(purpose, JSON.stringify(stored));
      } catch (error) {
        report.unreadable[name]++;
        if (error instanceof UnknownDataKeyError && !report.unknownKeyIds.includes(error.keyId)) report.unknownKeyIds.push(error.keyId);
        return undefined;
      }
      report.resealed[name]++;
      return resealed;
    });
  }
  return report;
}

// The command is rotate-data-key.ts at the top level now; an older runbook's
// `node dist/lib/secrets/rotate-data-key.js` is told so rather than exiting 0 having done nothing.
if (require.main === module) {
  createLogger('info').fatal('the data key rotation is `node dist/rotate-data-key.js` (or `npm run rotate-data-key`); nothing was rotated');
  process.exitCode = 1;
}
