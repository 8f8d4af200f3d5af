/**
 * `npm run rotate-data-key`: re-encrypts every secret in the database with KEEPSAKE_DATA_KEY
 * (older keys in KEEPSAKE_DATA_KEY_PREVIOUS). The command is rotate-data-key.ts at the top
 * level, which a built deployment runs as `node dist/rotate-data-key.js`.
 */
import { runRotationCommand } from '../rotate-data-key';

runRotationCommand();
