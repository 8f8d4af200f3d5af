/**
 * Encryption of records kept where every user of the app can read them (app properties): the
 * content is AES-256-GCM with a key derived from the site's secret key, and the property key
 * as associated data, so a value moved under another key does not decrypt either. A value
 * that does not decrypt reads as a record without a seal, which the seal check reports as
 * changed outside Keepsake.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JsonObject } from './record-store';

const ALGORITHM = 'aes-256-gcm';
const UNREADABLE: JsonObject = Object.freeze({ unreadable: true });

export class RecordCipher {
  private readonly key: Buffer;

  constructor(siteKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', siteKey, Buffer.alloc(0), 'keepsake app-property content', 32));
  }

  /** How many characters of content fit a stored value of `limit` characters (base64 grows by 4/3). */
  static capacity(limit: number): number {
    return Math.floor(((limit - 96) * 3) / 4);
  }

  encrypt(content: JsonObject, location: string): JsonObject {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.key, iv).setAAD(Buffer.from(location));
    const data = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
    return { v: 1, iv: iv.toString('base64url'), data: data.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
  }

  decrypt(stored: JsonObject, location: string): JsonObject {
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(String(stored.iv), 'base64url')).setAAD(Buffer.from(location));
      decipher.setAuthTag(Buffer.from(String(stored.tag), 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(String(stored.data), 'base64url')), decipher.final()]).toString('utf8');
      const content: unknown = JSON.parse(text);
      return typeof content === 'object' && content !== null && !Array.isArray(content) ? (content as JsonObject) : UNREADABLE;
    } catch {
      return UNREADABLE;
    }
  }
}
