/**
 * How every record Keepsake writes to Confluence is stored, on either backend: encrypted and
 * authenticated (AES-256-GCM) with a key derived from the site's secret key, which only the
 * server holds. Without the as-user restriction (docs/platform-facts.md §1) any user of the app
 * reads every user's properties with AP.request, and every app property always, so a record
 * must say nothing to anyone but Keepsake's server:
 *
 * - the content is ciphertext; the owner's account id and the record's name are the
 *   associated data, so a record copied to another user or another name does not open;
 * - the GCM tag is the seal: a byte changed anywhere fails the check;
 * - the plaintext is padded to a fixed bucket size, so a record's length says only which
 *   bucket it falls in, not how much a person keeps.
 *
 * Records written by earlier versions (a plaintext record with an HMAC seal, and app
 * properties encrypted without padding) are still opened, and reported as legacy so the
 * caller re-writes them in this format.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { LegacyRecordSeal } from './legacy-record-seal';
import type { JsonObject } from './record-store';

const ALGORITHM = 'aes-256-gcm';
const FORMAT = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const LENGTH_BYTES = 4;
/** The smallest bucket: below it, every record looks the same. */
const MIN_BUCKET = 1024;
/** `{"k":2,"box":""}`: the stored value around the base64url box. */
const ENVELOPE_CHARS = JSON.stringify({ k: FORMAT, box: '' }).length;

export interface OpenedRecord {
  content: JsonObject;
  /** Written by an earlier version of Keepsake: re-write it in the current format. */
  legacy: boolean;
}

export class RecordEnvelope {
  private readonly key: Buffer;
  private readonly legacySeal: LegacyRecordSeal;
  /** The largest padded plaintext, in bytes, whose envelope fits a stored value. */
  readonly capacity: number;

  constructor(
    siteKey: Buffer,
    /** The largest stored value the backend accepts, in characters of JSON. */
    maxStoredChars: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', siteKey, Buffer.alloc(0), 'keepsake record v2', 32));
    this.legacySeal = new LegacyRecordSeal(siteKey);
    // base64url without padding: 4 characters per 3 bytes, rounded up.
    this.capacity = Math.floor(((maxStoredChars - ENVELOPE_CHARS) * 3) / 4) - IV_BYTES - TAG_BYTES;
  }

  /** Whether the content fits one record once padded and encrypted. */
  fits(content: JsonObject): boolean {
    return plaintextBytes(content) <= this.capacity;
  }

  seal(owner: string, name: string, content: JsonObject): JsonObject {
    const json = Buffer.from(JSON.stringify(content), 'utf8');
    const padded = Buffer.alloc(this.bucket(json.length + LENGTH_BYTES));
    padded.writeUInt32BE(json.length, 0);
    json.copy(padded, LENGTH_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv).setAAD(associatedData(owner, name));
    const box = Buffer.concat([iv, cipher.update(padded), cipher.final(), cipher.getAuthTag()]);
    return { k: FORMAT, box: box.toString('base64url') };
  }

  /** The content when the record is Keepsake's own for this owner and name; otherwise undefined. */
  open(owner: string, name: string, stored: JsonObject): OpenedRecord | undefined {
    if (stored.k === FORMAT && typeof stored.box === 'string') {
      const content = this.decrypt(owner, name, stored.box);
      return content && { content, legacy: false };
    }
    const content = this.legacySeal.open(owner, name, stored);
    return content && { content, legacy: true };
  }

  private decrypt(owner: string, name: string, box: string): JsonObject | undefined {
    try {
      const bytes = Buffer.from(box, 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES + LENGTH_BYTES) return undefined;
      const decipher = createDecipheriv(ALGORITHM, this.key, bytes.subarray(0, IV_BYTES)).setAAD(associatedData(owner, name));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const padded = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      const length = padded.readUInt32BE(0);
      if (length > padded.length - LENGTH_BYTES) return undefined;
      const content: unknown = JSON.parse(padded.subarray(LENGTH_BYTES, LENGTH_BYTES + length).toString('utf8'));
      return typeof content === 'object' && content !== null && !Array.isArray(content) ? (content as JsonObject) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Powers of two from MIN_BUCKET, and the capacity itself as the last bucket. */
  private bucket(bytes: number): number {
    let size = MIN_BUCKET;
    while (size < bytes) size *= 2;
    return Math.min(size, Math.max(bytes, this.capacity));
  }
}

/** The padded plaintext's payload: the JSON and its length prefix. */
export function plaintextBytes(content: JsonObject): number {
  return Buffer.byteLength(JSON.stringify(content), 'utf8') + LENGTH_BYTES;
}

function associatedData(owner: string, name: string): Buffer {
  return Buffer.from(JSON.stringify(['keepsake-record', owner, name]), 'utf8');
}
