/**
 * App properties as Keepsake wrote them before every record was encrypted by RecordEnvelope:
 * a sealed plaintext record inside AES-256-GCM, with a key derived from the site's secret key
 * and the property key as associated data, unpadded. Read only: such a value is unwrapped to
 * the sealed record inside it, which RecordEnvelope opens as a legacy record to be re-written.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JsonObject } from './record-store';

const ALGORITHM = 'aes-256-gcm';

export class LegacyAppPropertyCipher {
  private readonly key: Buffer;

  constructor(siteKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', siteKey, Buffer.alloc(0), 'keepsake app-property content', 32));
  }

  /** Whether a stored value has this format's shape. */
  static matches(stored: JsonObject): boolean {
    return stored.v === 1 && typeof stored.iv === 'string' && typeof stored.data === 'string' && typeof stored.tag === 'string';
  }

  /** The record inside, or undefined when it does not decrypt. */
  decrypt(stored: JsonObject, location: string): JsonObject | undefined {
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(String(stored.iv), 'base64url')).setAAD(Buffer.from(location));
      decipher.setAuthTag(Buffer.from(String(stored.tag), 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(String(stored.data), 'base64url')), decipher.final()]).toString('utf8');
      const content: unknown = JSON.parse(text);
      return typeof content === 'object' && content !== null && !Array.isArray(content) ? (content as JsonObject) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes a value in this old format: for tests that prove an old record survives the upgrade. */
  encrypt(content: JsonObject, location: string): JsonObject {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.key, iv).setAAD(Buffer.from(location));
    const data = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
    return { v: 1, iv: iv.toString('base64url'), data: data.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
  }
}
