/**
 * The record envelope of the app-property bucket backend. A bucket is encrypted and sealed as
 * a whole (BucketCodec), with each member's records inside under their account id and name,
 * so a record there needs no encryption or padding of its own: padding each record to 1 KiB
 * alone would make 5,000 users outgrow 100 properties. A record is kept as `{k: "entry", c}`.
 * Records of the earlier one-property-per-record layout (encrypted and padded by
 * RecordEnvelope, or older) are still opened, as RecordEnvelope opens them.
 *
 * A plain entry is trusted only because the bucket around it was sealed by Keepsake: the
 * backend never hands out an entry-shaped value from anywhere else (AppPropertyBuckets).
 */
import { RecordEnvelope, type OpenedRecord } from './record-envelope';
import type { JsonObject } from './record-store';

const ENTRY = 'entry';

export class AppPropertyEntryEnvelope extends RecordEnvelope {
  override seal(_owner: string, _name: string, content: JsonObject): JsonObject {
    return { k: ENTRY, c: content };
  }

  override open(owner: string, name: string, stored: JsonObject): OpenedRecord | undefined {
    if (isEntry(stored)) return { content: stored.c as JsonObject, legacy: false };
    return super.open(owner, name, stored);
  }
}

/** Whether a stored value is a plain entry (valid only inside a sealed bucket). */
export function isEntry(stored: JsonObject): boolean {
  return stored.k === ENTRY && typeof stored.c === 'object' && stored.c !== null && !Array.isArray(stored.c);
}
