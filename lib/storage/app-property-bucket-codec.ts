/**
 * How one bucket of users is stored in app properties: every record of every user whose keyed
 * hash falls in the bucket, as one JSON document, compressed (raw deflate with a fixed
 * dictionary of Keepsake's record vocabulary), then encrypted and sealed as a whole
 * (AES-256-GCM, a key derived from the site's secret key, the bucket's number as associated
 * data), and cut into pages of exactly the value limit: one app property each.
 *
 * Every page is padded to the full limit, so what anyone with AP.request sees of a bucket is
 * its number of pages (docs/security.md, "App-property buckets"): not who is in it, not how
 * much any of them keeps. The page count also grows eagerly and shrinks late (a page is given
 * back only when the rest fits with a quarter of a page to spare), so it does not flip back
 * and forth with small changes.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { JsonObject } from './record-store';

/** One bucket's content: each member's records by name, and the write that made it. */
export interface BucketContent {
  gen: number;
  writer: string;
  members: Record<string, Record<string, JsonObject>>;
}

/** A page as stored: `{kb, page, of, box}`; `box` is a slice of the base64url ciphertext. */
export interface BucketPage {
  kb: number;
  page: number;
  of: number;
  box: string;
}

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const LENGTH_BYTES = 4;
/** The stored page around its box, with the largest page numbers: `{"kb":1,"page":99,"of":99,"box":""}`. */
const PAGE_FRAME_CHARS = JSON.stringify({ kb: FORMAT, page: 99, of: 99, box: '' }).length;
/** Strings every record has: compression finds them here instead of in each user's data. */
const DICTIONARY = Buffer.from(
  '"profile":{"pronouns":"she/her","he/him","they/them","workingHours":"","location":"","note":""},"updatedAt":{"viewMode":"2026-' +
    '"tracking":"2026-","profile":"2026-","panelCollapsed":"2026-"},"tracking":{"analytics":false,"productEmails":false},' +
    '"analytics":true,"productEmails":true},"viewMode":"comfortable","compact","focus","panelCollapsed":true,"v":2,"gen":1,"writer":"' +
    '"bookmarks":[],"watches":[],"spill":{"seq":"layout":"sets":"tail":"chunks":"items":[{"contentId":"","title":"","addedAt":"2026-01-01T00:00:00.000Z"},' +
    '{"contentId":"","title":"","addedAt":"2026-"}],"main":{"k":"entry","c":{"v":2,"gen":',
  'utf8',
);

export class BucketCodec {
  private readonly key: Buffer;
  /** Characters of box per page. */
  private readonly boxChars: number;

  constructor(
    siteKey: Buffer,
    /** The largest stored value, in characters of JSON (the app-property limit). */
    maxStoredChars: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', siteKey, Buffer.alloc(0), 'keepsake app-property bucket v1', 32));
    // Whole base64 quanta only, so that every page but none is a partial quantum.
    this.boxChars = Math.floor((maxStoredChars - PAGE_FRAME_CHARS) / 4) * 4;
  }

  /** Bytes of compressed content a bucket of `pages` pages holds. */
  payloadBytes(pages: number): number {
    return (pages * this.boxChars * 3) / 4 - IV_BYTES - TAG_BYTES - LENGTH_BYTES;
  }

  /** The compressed content, to size and seal. */
  compress(content: BucketContent): Buffer {
    return deflateRawSync(Buffer.from(JSON.stringify(content), 'utf8'), { level: 9, dictionary: DICTIONARY });
  }

  /** How many pages the compressed content takes, given how many the bucket has now (see the file comment). */
  pagesFor(compressedBytes: number, currentPages: number): number {
    let pages = 1;
    while (this.payloadBytes(pages) < compressedBytes) pages++;
    if (pages >= currentPages) return pages;
    // Shrink only with a quarter of a page to spare.
    const spare = (this.boxChars * 3) / 16;
    while (pages < currentPages && this.payloadBytes(pages) - compressedBytes < spare) pages++;
    return pages;
  }

  seal(bucket: number, compressed: Buffer, pages: number): BucketPage[] {
    const padded = Buffer.alloc(this.payloadBytes(pages) + LENGTH_BYTES);
    padded.writeUInt32BE(compressed.length, 0);
    compressed.copy(padded, LENGTH_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(associatedData(bucket, pages));
    const box = Buffer.concat([iv, cipher.update(padded), cipher.final(), cipher.getAuthTag()]).toString('base64url');
    return Array.from({ length: pages }, (_, page) => ({
      kb: FORMAT,
      page,
      of: pages,
      box: box.slice(page * this.boxChars, (page + 1) * this.boxChars),
    }));
  }

  /** The content, when the pages are one whole bucket sealed by Keepsake for this bucket; otherwise undefined. */
  open(bucket: number, pages: readonly unknown[]): BucketContent | undefined {
    const valid = pages.every((p, i) => isPage(p) && p.page === i && p.of === pages.length);
    if (!valid || pages.length === 0) return undefined;
    try {
      const bytes = Buffer.from((pages as BucketPage[]).map((p) => p.box).join(''), 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES + LENGTH_BYTES) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES)).setAAD(associatedData(bucket, pages.length));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const padded = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      const length = padded.readUInt32BE(0);
      if (length > padded.length - LENGTH_BYTES) return undefined;
      const json = inflateRawSync(padded.subarray(LENGTH_BYTES, LENGTH_BYTES + length), { dictionary: DICTIONARY }).toString('utf8');
      const content = JSON.parse(json) as BucketContent;
      return typeof content.gen === 'number' && typeof content.writer === 'string' && typeof content.members === 'object'
        ? content
        : undefined;
    } catch {
      return undefined;
    }
  }
}

function isPage(value: unknown): value is BucketPage {
  const p = value as BucketPage | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    p.kb === FORMAT &&
    Number.isInteger(p.page) &&
    Number.isInteger(p.of) &&
    typeof p.box === 'string'
  );
}

function associatedData(bucket: number, pages: number): Buffer {
  return Buffer.from(JSON.stringify(['keepsake-app-property-bucket', bucket, pages]), 'utf8');
}
