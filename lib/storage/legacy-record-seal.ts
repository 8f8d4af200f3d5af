/**
 * Records as Keepsake wrote them before every record was encrypted (RecordEnvelope): plaintext
 * content with an HMAC, made with the site's secret key, over the owner, the record's name and
 * the content. Read only, so that those records open once more and are re-written encrypted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JsonObject } from './record-store';

const SEAL_FIELD = 'seal';

export class LegacyRecordSeal {
  constructor(private readonly siteKey: Buffer) {}

  /** The content without its seal when the seal is right, otherwise undefined. */
  open(accountId: string, name: string, record: JsonObject): JsonObject | undefined {
    const { [SEAL_FIELD]: seal, ...content } = record;
    if (typeof seal !== 'string') return undefined;
    const expected = Buffer.from(this.mac(accountId, name, content));
    const actual = Buffer.from(seal);
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? content : undefined;
  }

  /** Writes a record in this old format: for tests that prove an old record survives the upgrade. */
  seal(accountId: string, name: string, content: JsonObject): JsonObject {
    return { ...content, [SEAL_FIELD]: this.mac(accountId, name, content) };
  }

  private mac(accountId: string, name: string, content: JsonObject): string {
    return createHmac('sha256', this.siteKey)
      .update(canonicalJson({ owner: accountId, record: name, content }))
      .digest('base64url');
  }
}

/** JSON with object keys sorted, so that a store that reorders keys does not break the seal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as JsonObject)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
