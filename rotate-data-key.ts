/**
 * The data key rotation command (lib/secrets/rotate-data-key.ts does the work):
 * `npm run rotate-data-key`, or `node dist/rotate-data-key.js` in a built deployment. Like
 * app.ts it is a composition root: the database is opened as Keepsake opens it, through the
 * platform adapter's store, with the schema set up under the schema lock.
 */
import { migrate } from './lib/database/migrate';
import { defineModels } from './lib/database/models';
import { keepsakeSealedColumns, sealedColumnRows } from './lib/database/sealed-column-rows';
import { withSchemaLock } from './lib/database/schema-lock';
import { createLogger } from './lib/logger';
import { dataCipherFor } from './lib/secrets/data-key';
import { rotateDataKey, type RotationReport } from './lib/secrets/rotate-data-key';
import { loadSettings, type Settings } from './lib/settings';
import { openConnectStore } from './platform/connect/connect-platform';

/** Opens the database as Keepsake does (schema set up under the schema lock) and rotates. */
export async function runRotation(settings: Settings): Promise<RotationReport> {
  const cipher = dataCipherFor(settings);
  const logger = createLogger(settings.LOG_LEVEL);
  const store = await withSchemaLock(settings.DATABASE_URL, async () => {
    const opened = await openConnectStore({ settings, cipher, logger, poolSize: 2 });
    await migrate(opened.sequelize);
    return opened;
  });
  try {
    const columns = [...store.sealedColumns, ...keepsakeSealedColumns(defineModels(store.sequelize, cipher))];
    return await rotateDataKey(sealedColumnRows(store.sequelize, columns), cipher);
  } finally {
    await store.sequelize.close();
  }
}

/** The command: rotates, logs what it did as JSON, and sets exit code 1 if anything was left unreadable. */
export async function rotationCommand(): Promise<void> {
  const settings = loadSettings();
  const logger = createLogger(settings.LOG_LEVEL === 'silent' ? 'info' : settings.LOG_LEVEL);
  const report = await runRotation(settings);
  const unreadable = Object.values(report.unreadable).reduce((a, b) => a + b, 0);
  if (unreadable > 0) {
    logger.error(
      report,
      `${unreadable} values are sealed with keys that are neither KEEPSAKE_DATA_KEY nor in KEEPSAKE_DATA_KEY_PREVIOUS (${report.unknownKeyIds.join(', ') || 'or failed their integrity check'}); they were left as they are`,
    );
    process.exitCode = 1;
  } else {
    logger.info(report, `every sealed value in the database is sealed with data key ${report.keyId}`);
  }
}

export function runRotationCommand(): void {
  rotationCommand().catch((error: unknown) => {
    createLogger('info').fatal({ err: error }, `data key rotation failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

if (require.main === module) runRotationCommand();
