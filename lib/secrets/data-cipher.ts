/**
 * Encryption of secrets at rest: the values Keepsake and ACE keep in the database that a
 * copy of the database must not give away (shared secrets, OAuth tokens, site keys, cached
 * preference documents). AES-256-GCM with a key from the environment (`KEEPSAKE_DATA_KEY`);
 * each value names the key that sealed it, so older keys (`KEEPSAKE_DATA_KEY_PREVIOUS`) still
 * open what they sealed while everything new is sealed with the current one.
 *
 * A sealed value is text: `ks1:<key id>:<base64url of iv ‖ ciphertext ‖ tag>`. The key id is
 * derived from the key (8 hex digits of a hash), so keys need no names. The associated data
 * binds a value to its column ("purpose") and to its header, so a value cannot be moved to
 * another column or relabelled with another key id.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'ks1';
const SEALED = /^ks1:([0-9a-f]{8}):([A-Za-z0-9_-]+)$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The columns whose values are sealed; each is the associated data of its values. */
export type Purpose = 'ace.AddonSettings.val' | 'ace.ForgeSettings.val' | 'keepsake_sites.siteKey' | 'keepsake_preference_cache.document';

/** A data key as the environment gives it: 32 random bytes in base64 (`openssl rand -base64 32`). */
export function parseDataKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new Error('a data key is 32 random bytes in base64 (44 characters; `openssl rand -base64 32` makes one)');
  return key;
}

/** 8 hex digits naming a key, derived from it (so keys need no names). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('keepsake data key id\u0000').update(key).digest('hex').slice(0, 8);
}

export function newDataKey(): string {
  return randomBytes(32).toString('base64');
}

export class UnknownDataKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      `a value in the database was encrypted with data key ${keyId}, which is neither KEEPSAKE_DATA_KEY nor in KEEPSAKE_DATA_KEY_PREVIOUS`,
    );
    this.name = 'UnknownDataKeyError';
  }
}

export class DataCipher {
  private readonly keys = new Map<string, Buffer>();
  /** The id of the key everything is sealed with. */
  readonly currentKeyId: string;

  constructor(current: Buffer, previous: Buffer[] = []) {
    this.currentKeyId = keyId(current);
    this.keys.set(this.currentKeyId, current);
    for (const key of previous) if (!this.keys.has(keyId(key))) this.keys.set(keyId(key), key);
  }

  /** The key ids this cipher can open, the current one first. */
  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && SEALED.test(value);
  }

  /** Whether a stored value should be written again: not sealed, or sealed with an older key. */
  needsResealing(value: unknown): boolean {
    if (value === null || value === undefined) return false;
    return !DataCipher.isSealed(value) || SEALED.exec(value)![1] !== this.currentKeyId;
  }

  seal(purpose: Purpose, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(associatedData(this.currentKeyId, purpose));
    const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}:${this.currentKeyId}:${body.toString('base64url')}`;
  }

  open(purpose: Purpose, sealed: string): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new Error(`not a sealed ${purpose} value`);
    const [, id, payload] = match;
    const key = this.keys.get(id);
    if (!key) throw new UnknownDataKeyError(id);
    const body = Buffer.from(payload, 'base64url');
    if (body.length < IV_BYTES + TAG_BYTES) throw new Error(`a sealed ${purpose} value is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
    decipher.setAAD(associatedData(id, purpose));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`a sealed ${purpose} value failed its integrity check (changed, or moved from another column)`);
    }
  }

  /** Seals any JSON value; null and undefined stay as they are (a column's "nothing"). */
  sealJson<T>(purpose: Purpose, value: T): string | T {
    if (value === null || value === undefined || DataCipher.isSealed(value)) return value;
    return this.seal(purpose, JSON.stringify(value));
  }

  /** Opens what `sealJson` sealed; a value stored before encryption (plaintext) is returned as it is. */
  openJson(purpose: Purpose, stored: unknown): unknown {
    return DataCipher.isSealed(stored) ? JSON.parse(this.open(purpose, stored)) : stored;
  }

  /** Seals a text value unless it is sealed already. */
  sealText(purpose: Purpose, value: string): string {
    return DataCipher.isSealed(value) ? value : this.seal(purpose, value);
  }

  /** Opens a sealed text value; text stored before encryption is returned as it is. */
  openText(purpose: Purpose, stored: string): string {
    return DataCipher.isSealed(stored) ? this.open(purpose, stored) : stored;
  }
}

function associatedData(id: string, purpose: Purpose): Buffer {
  return Buffer.from(`${VERSION}:${id}:${purpose}`, 'utf8');
}
