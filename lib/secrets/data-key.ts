/**
 * Where the data key comes from: `KEEPSAKE_DATA_KEY` (required in production, lib/settings.ts
 * refuses to start without it), older keys from `KEEPSAKE_DATA_KEY_PREVIOUS`; in development,
 * when unset, a key generated once into `.data/data-key` (mode 0600) and reused.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Settings } from '../settings';
import { DataCipher, newDataKey, parseDataKey } from './data-cipher';

export const DEVELOPMENT_KEY_FILE = join('.data', 'data-key');

type KeySettings = Pick<Settings, 'NODE_ENV' | 'KEEPSAKE_DATA_KEY' | 'KEEPSAKE_DATA_KEY_PREVIOUS'>;

export function dataCipherFor(settings: KeySettings, developmentKeyFile = DEVELOPMENT_KEY_FILE): DataCipher {
  const previous = previousDataKeys(settings.KEEPSAKE_DATA_KEY_PREVIOUS).map(parseDataKey);
  if (settings.KEEPSAKE_DATA_KEY) return new DataCipher(parseDataKey(settings.KEEPSAKE_DATA_KEY), previous);
  if (settings.NODE_ENV === 'production') throw new Error('KEEPSAKE_DATA_KEY is required in production');
  return new DataCipher(parseDataKey(developmentDataKey(developmentKeyFile)), previous);
}

export function previousDataKeys(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/**
 * The development key: read from `file`, or generated into it. Instances starting together
 * may both generate one: the file is written whole under a temporary name and linked into
 * place, which fails if another got there first; then everyone reads the one that won.
 */
export function developmentDataKey(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}`;
  writeFileSync(temporary, `${newDataKey()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readFileSync(file, 'utf8').trim();
}
